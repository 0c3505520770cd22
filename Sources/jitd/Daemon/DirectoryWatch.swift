import Foundation

/// An inotify watch on one folder: calls `changed` with the names of the entries each batch of
/// events concerned (an empty name for an event on the folder itself). Reads the events on a
/// dispatch queue, off the cooperative pool.
final class DirectoryWatch: @unchecked Sendable {
    private let source: any DispatchSourceRead

    /// `nil` when inotify is not available or the folder cannot be watched (then `errno` says why).
    init?(folder: String, mask: UInt32, label: String, _ changed: @escaping @Sendable ([String]) -> Void) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        guard inotify_add_watch(fd, folder, mask) >= 0 else {
            let saved = errno
            close(fd)
            errno = saved
            return nil
        }
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: DispatchQueue(label: label))
        source.setEventHandler {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            var names: [String] = []
            while true {
                let n = read(fd, &buffer, buffer.count)
                guard n > 0 else { break }
                names += Self.names(buffer[0..<n])
            }
            changed(names)
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    func stop() { source.cancel() }

    /// The names in a run of `struct inotify_event` records (16-byte head, then `len` bytes of
    /// NUL-padded name).
    static func names(_ bytes: ArraySlice<UInt8>) -> [String] {
        var out: [String] = []
        var at = bytes.startIndex
        while at + 16 <= bytes.endIndex {
            let len = bytes[(at + 12)..<(at + 16)].withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) }
            let nameBytes = bytes[(at + 16)..<min(bytes.endIndex, at + 16 + len)].prefix { $0 != 0 }
            out.append(String(decoding: nameBytes, as: UTF8.self))
            at += 16 + len
        }
        return out
    }
}
