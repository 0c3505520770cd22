import CSystemd
import Foundation

/// Talks to systemd's service manager through `sd_notify(3)`.
///
/// Every call is a no-op when `NOTIFY_SOCKET` is unset (run by hand, in tests, under another
/// supervisor), so callers never need to ask first. Safe to use from any thread: each call is
/// one datagram, and systemd reads the fields of one datagram as one update.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// Whether a service manager is listening (`NOTIFY_SOCKET` is set).
    public var isActive: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Sends one datagram of `KEY=VALUE` lines. Returns whether it was delivered.
    @discardableResult
    public func send(_ state: String) -> Bool {
        guard isActive else { return false }
        return sd_notify(0, state) > 0
    }

    /// `READY=1`: start-up (or a reload) is complete; with the status line systemctl shows.
    @discardableResult
    public func ready(status: String) -> Bool { send("READY=1\nSTATUS=\(Self.oneLine(status))") }

    /// `STATUS=`: one short human line for `systemctl status`.
    @discardableResult
    public func status(_ line: String) -> Bool { send("STATUS=\(Self.oneLine(line))") }

    /// `STOPPING=1`: shutdown has begun.
    @discardableResult
    public func stopping(status: String = "shutting down") -> Bool {
        send("STOPPING=1\nSTATUS=\(Self.oneLine(status))")
    }

    /// `WATCHDOG=1`: the daemon is alive. Send only after checking that it is.
    @discardableResult
    public func watchdog() -> Bool { send("WATCHDOG=1") }

    /// `RELOADING=1` with `MONOTONIC_USEC=`, which systemd uses to order the reload against the
    /// `READY=1` that must follow it (also after a reload that was refused).
    @discardableResult
    public func reloading(status: String = "reloading") -> Bool {
        send("RELOADING=1\nMONOTONIC_USEC=\(Self.monotonicMicroseconds())\nSTATUS=\(Self.oneLine(status))")
    }

    /// `EXTEND_TIMEOUT_USEC=`: asks for more time before systemd gives up on start-up or stop.
    @discardableResult
    public func extendTimeout(_ duration: Duration) -> Bool {
        send("EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))")
    }

    /// The watchdog timeout systemd armed (`WATCHDOG_USEC`, checked against `WATCHDOG_PID`), or
    /// `nil` when no watchdog is armed for this process.
    public var watchdogTimeout: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(clamping: usec))
    }

    /// Half the watchdog timeout: how often `WATCHDOG=1` should go out, as sd_watchdog_enabled(3)
    /// recommends. `nil` when no watchdog is armed.
    public var watchdogInterval: Duration? { watchdogTimeout.map { $0 / 2 } }

    /// Listening sockets passed by socket activation, in order, with their `FileDescriptorName=`
    /// (`"unknown"` when the unit named none). Consumes `LISTEN_FDS`/`LISTEN_PID`/`LISTEN_FDNAMES`
    /// so that a child process never mistakes them for its own, and marks the sockets close-on-exec.
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

    /// The passed socket named `name`; or, when exactly one unnamed socket was passed, that one.
    public static func pick(_ fds: [(name: String, fd: Int32)], named name: String) -> Int32? {
        if let match = fds.first(where: { $0.name == name }) { return match.fd }
        if fds.count == 1, fds[0].name == "unknown" || fds[0].name.isEmpty { return fds[0].fd }
        return nil
    }

    /// Whether `fd` is a listening stream socket (what `ListenStream=` passes).
    public static func isListeningStreamSocket(_ fd: Int32) -> Bool {
        sd_is_socket(fd, AF_UNSPEC, Int32(SOCK_STREAM.rawValue), 1) > 0
    }

    /// `STATUS=` and friends are one line each: newlines would start a new field.
    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\r", with: " ")
    }

    static func monotonicMicroseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }

    static func microseconds(_ d: Duration) -> Int64 {
        let c = d.components
        return c.seconds * 1_000_000 + c.attoseconds / 1_000_000_000_000
    }
}
