import Foundation

/// One daemon per state folder: `jitd serve` holds an exclusive `flock` on `STATE/jitd.lock` for
/// its whole life (the kernel lets go of it when the process ends, however it ends). A second
/// daemon on the same folder would return the first one's leased messages to the queue at its
/// start-up and deliver them twice, and race it on every file of the inbox; it stops instead.
enum StateLock {
    enum Problem: Error {
        case held(path: String, pid: String?)
        case unusable(path: String, reason: String)

        var message: String {
            switch self {
            case .held(let path, let pid):
                "\(path): error: another jitd serve is running on this state folder\(pid.map { " (pid \($0))" } ?? ""); "
                    + "stop it first, or give this one a state folder of its own"
            case .unusable(let path, let reason):
                "\(path): error: cannot lock the state folder (\(reason)); check that jitd may write there"
            }
        }
    }

    /// Takes the lock and writes this process's pid into the file; the descriptor stays open
    /// (and the lock held) until the process ends.
    static func acquire(stateFolder: String) throws(Problem) {
        let path = stateFolder + "/jitd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .unusable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno
            let pid = holder(fd)
            close(fd)
            if reason == EWOULDBLOCK { throw .held(path: path, pid: pid) }
            throw .unusable(path: path, reason: String(cString: strerror(reason)))
        }
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pwrite(fd, text, text.count, 0)
    }

    /// The pid the holder wrote, if any.
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        let text = String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || !text.allSatisfy(\.isNumber) ? nil : text
    }
}
