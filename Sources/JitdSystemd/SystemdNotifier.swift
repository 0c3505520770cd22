import CSystemd
import Foundation

/// Talks to systemd's service manager through `sd_notify`. Every call is a no-op when
/// `NOTIFY_SOCKET` is unset (run by hand, in tests, under another supervisor).
public struct SystemdNotifier: Sendable {
    public init() {}

    public var isActive: Bool { ProcessInfo.processInfo.environment["NOTIFY_SOCKET"] != nil }

    @discardableResult
    public func send(_ state: String) -> Bool {
        guard isActive else { return false }
        return sd_notify(0, state) > 0
    }

    public func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    public func status(_ line: String) { send("STATUS=\(line)") }
    public func stopping() { send("STOPPING=1\nSTATUS=shutting down") }
    public func watchdog() { send("WATCHDOG=1") }

    /// `RELOADING=1` with the monotonic time systemd needs for `Type=notify-reload`.
    public func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        let usec = UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)")
    }

    /// Half the watchdog interval systemd asked for, or `nil` when no watchdog is armed.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec / 2))
    }

    /// Listening sockets passed by socket activation, by `FileDescriptorName=`.
    public func listenFDs() -> [(name: String, fd: Int32)] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
        let n = sd_listen_fds_with_names(1, &names)
        guard n > 0 else { return [] }
        defer {
            if let names {
                for i in 0..<Int(n) { free(names[i]) }
                free(names)
            }
        }
        return (0..<Int(n)).map { i in
            let name = names?[i].map { String(cString: $0) } ?? "unknown"
            return (name, SD_LISTEN_FDS_START + Int32(i))
        }
    }
}
