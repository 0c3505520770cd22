import Foundation

/// Reads a file in fixed-size chunks with read(2), so that a file of any size is read in
/// constant memory. Refuses to follow a symlink.
public enum ChunkedFile {
    public enum Problem: Error, Equatable {
        /// The file cannot be opened or read; `errno` says why.
        case unreadable(String)
        /// The file grew past the limit while it was read.
        case tooLarge(limit: Int)

        public var message: String {
            switch self {
            case .unreadable(let why): "cannot read the file (\(why)); check its permissions (jitd must be able to read it)"
            case .tooLarge(let limit): "the file grew past the \(limit)-byte limit ([limits] max_inbox_file_mib) while it was read; split it"
            }
        }
    }

    public static let defaultChunk = 1 << 20

    /// Calls `body` with each chunk in order; stops with ``Problem/tooLarge(limit:)`` past `limit` bytes.
    public static func forEachChunk(path: String, chunk: Int = defaultChunk, limit: Int = .max,
                                    _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw Problem.unreadable(String(cString: strerror(errno))) }
        defer { close(fd) }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: chunk)
        defer { buffer.deallocate() }
        var total = 0
        while true {
            let n = read(fd, buffer.baseAddress, chunk)
            if n < 0 {
                if errno == EINTR { continue }
                throw Problem.unreadable(String(cString: strerror(errno)))
            }
            if n == 0 { return }
            total += n
            guard total <= limit else { throw Problem.tooLarge(limit: limit) }
            try body(UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    /// The first `count` bytes (fewer when the file is shorter).
    public static func prefix(path: String, count: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        do {
            try forEachChunk(path: path, chunk: count) { chunk in
                out.append(contentsOf: chunk)
                throw Stop()
            }
        } catch is Stop {}
        return out
    }

    private struct Stop: Error {}
}
