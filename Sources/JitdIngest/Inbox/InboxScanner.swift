import Foundation

/// A file in the inbox, ready to be applied or to be refused without being read.
public struct InboxCandidate: Sendable, Equatable {
    public var name: String
    public var path: String
    public var size: Int
    /// Why the file must be refused before reading it (a symlink, a device, too large).
    public var refusal: String?
}

/// Finds files in the inbox that are complete: regular, not hidden or temporary, and unchanged
/// (size and modification time) since the previous scan, so a file still being written is
/// never read half-way.
public struct InboxScanner: Sendable {
    public let inbox: String
    public let maxBytes: Int
    private var lastSeen: [String: [Int]] = [:]
    /// Regular files the last call saw but left to settle.
    public private(set) var unsettled = 0

    public init(inbox: String, maxBytes: Int) {
        self.inbox = inbox
        self.maxBytes = maxBytes
    }

    /// Hidden (`.x`) and temporary (`x.tmp`, `x.part`, `x~`, `x.swp`) files are not inputs yet:
    /// they are left alone until renamed. (jitd's own reports are written under `processed/` and
    /// `rejected/`, never beside the inputs, so a report in the inbox itself was dropped there
    /// and is refused like any other file that is not an input.)
    public static func isIgnored(_ name: String) -> Bool {
        name.hasPrefix(".") || name.hasSuffix(".tmp") || name.hasSuffix(".part") || name.hasSuffix("~")
            || name.hasSuffix(".swp")
    }

    /// The folders jitd keeps inside the inbox.
    public static let ownFolders: Set<String> = ["processed", "rejected"]

    /// Creates the inbox and its `processed/` and `rejected/` folders.
    public func prepare() throws {
        for sub in ["", "/processed", "/rejected"] {
            try FileManager.default.createDirectory(atPath: inbox + sub, withIntermediateDirectories: true)
        }
    }

    /// How long a file must have been left alone to be taken at start-up without a second look.
    public static let startupQuietSeconds = 2

    /// Files that have stopped changing since the last call, in name order. With `settle: false`
    /// (the start-up scan) a file last modified at least ``startupQuietSeconds`` ago is taken at
    /// once, since no writer has touched it for a while; a newer one, which a writer may still
    /// hold open (one that was writing when jitd stopped), waits to settle like any other.
    ///
    /// Names in `busy` (files a writer still has open, as inotify tells) are never ready.
    public mutating func ready(settle: Bool = true, busy: Set<String> = []) -> [InboxCandidate] {
        let now = Int(Date().timeIntervalSince1970)
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: inbox)) ?? [])
            .filter { !Self.isIgnored($0) && !Self.ownFolders.contains($0) }.sorted()
        var out: [InboxCandidate] = []
        var seen: [String: [Int]] = [:]
        for name in names {
            let path = inbox + "/" + name
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            let type = st.st_mode & S_IFMT
            let size = Int(st.st_size)
            if type == S_IFLNK {
                out.append(InboxCandidate(name: name, path: path, size: 0, refusal: "symbolic links are refused; copy the file into the inbox instead"))
                continue
            }
            if type != S_IFREG && type != S_IFDIR {
                out.append(InboxCandidate(name: name, path: path, size: 0, refusal: "not a regular file; only regular files are read"))
                continue
            }
            // A folder is refused once it stops changing (it may be filled before it is noticed).
            let signature = [size, Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_ino), Int(st.st_nlink)]
            seen[name] = signature
            let quiet = now - Int(st.st_mtim.tv_sec) >= Self.startupQuietSeconds
            guard !busy.contains(name), lastSeen[name] == signature || (!settle && quiet) else { continue }
            out.append(InboxCandidate(name: name, path: path, size: type == S_IFDIR ? 0 : size,
                                      refusal: refusal(name, type: type, size: size, links: Int(st.st_nlink))))
        }
        lastSeen = seen
        unsettled = seen.count - out.filter { seen[$0.name] != nil }.count
        return out
    }

    /// Why a settled entry of the inbox is refused without being read, if it is.
    func refusal(_ name: String, type: mode_t, size: Int, links: Int) -> String? {
        if type == S_IFDIR {
            return "folders are not read; drop the roster or completions files themselves into the inbox"
        }
        if name.hasSuffix(".errors.txt") || name.hasSuffix(".warnings.txt") {
            return "this is a report of jitd's, not a roster or completions file; reports belong in processed/ and rejected/"
        }
        if links > 1 {
            // A hard link shares its bytes with a file elsewhere, which the person who dropped it
            // may not be allowed to read: its first line would reach reports and webhooks.
            return "hard links are refused (the file has \(links) names); copy the file into the inbox instead"
        }
        if size > maxBytes {
            return "the file is \(size) bytes, over the \(maxBytes)-byte limit ([limits] max_inbox_file_mib); split it"
        }
        return nil
    }
}
