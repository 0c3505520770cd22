import Foundation

/// An inotify watch on one folder: calls `changed` with each batch of events, in order (an empty
/// name for an event on the folder itself). Reads the events on a dispatch queue, off the
/// cooperative pool.
final class DirectoryWatch: @unchecked Sendable {
    struct Event: Sendable, Equatable {
        var name: String
        var mask: UInt32
    }

    private let source: any DispatchSourceRead

    /// `nil` when inotify is not available or the folder cannot be watched (then `errno` says why).
    init?(folder: String, mask: UInt32, label: String, _ changed: @escaping @Sendable ([Event]) -> Void) {
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
            var events: [Event] = []
            while true {
                let n = read(fd, &buffer, buffer.count)
                guard n > 0 else { break }
                events += Self.events(buffer[0..<n])
            }
            changed(events)
        }
        source.setCancelHandler { close(fd) }
        source.resume()
    }

    func stop() { source.cancel() }

    /// The events in a run of `struct inotify_event` records (`wd`, `mask`, `cookie`, `len`, then
    /// `len` bytes of NUL-padded name).
    static func events(_ bytes: ArraySlice<UInt8>) -> [Event] {
        var out: [Event] = []
        var at = bytes.startIndex
        while at + 16 <= bytes.endIndex {
            let mask = bytes[(at + 4)..<(at + 8)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
            let len = bytes[(at + 12)..<(at + 16)].withUnsafeBytes { Int($0.loadUnaligned(as: UInt32.self)) }
            let nameBytes = bytes[(at + 16)..<min(bytes.endIndex, at + 16 + len)].prefix { $0 != 0 }
            out.append(Event(name: String(decoding: nameBytes, as: UTF8.self), mask: mask))
            at += 16 + len
        }
        return out
    }
}

/// The files in a folder that a writer on this machine still has open: created or written to,
/// and not yet closed after writing (nor renamed away or deleted), as inotify tells. A file a
/// writer keeps open is not read, however long it pauses; the stat-based settling in
/// `InboxScanner` remains for writers inotify cannot see (network shares) and for files that
/// were there before the watch. On a queue overflow the record is dropped and settling decides.
final class OpenWrites: @unchecked Sendable {
    private let lock = NSLock()
    private var names: Set<String> = []

    /// Takes the events of `folder`. A name created by `link(2)` or `symlink(2)` is not held open
    /// by anyone (no close will follow), so a created entry counts as being written only when it
    /// is a regular file with one name.
    func record(_ events: [DirectoryWatch.Event], in folder: String) {
        let closed = UInt32(IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)
        let opened = UInt32(IN_CREATE | IN_MODIFY)
        lock.withLock {
            for e in events {
                if e.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    names.removeAll()
                } else if e.mask & closed != 0 {
                    names.remove(e.name)
                } else if e.mask & opened != 0, e.mask & UInt32(IN_ISDIR) == 0 {
                    if e.mask & UInt32(IN_CREATE) != 0 {
                        var st = stat()
                        guard lstat(folder + "/" + e.name, &st) == 0, st.st_mode & S_IFMT == S_IFREG, st.st_nlink == 1 else { continue }
                    }
                    names.insert(e.name)
                }
            }
        }
    }

    var current: Set<String> { lock.withLock { names } }
}
