import ArgumentParser
import Foundation
import JitdIngest
import JitdSystemd

/// `jitd reload`: signals the running daemon to re-read its config, catalog and secrets, and
/// waits for its answer, so that `systemctl reload jitd` (whose `ExecReload=` this is) fails
/// when the new config was refused instead of returning before anything happened.
struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Ask the running daemon to re-read its config, catalog and secrets; wait for the outcome.",
        discussion: """
            Sends SIGHUP to the daemon and waits until it has reloaded. Exits 0 when the new config \
            and catalog are in force, and 1 when the daemon refused them (it keeps the ones in force \
            and says why; the problems are printed here too), when no daemon is running, or when no \
            answer came in time. The unit's ExecReload= runs `jitd reload --pid $MAINPID`.
            """)

    @Option(help: "The config file; used to find the state folder when --pid is not given.")
    var config = "/etc/jitd/jitd.toml"

    @Option(help: "The daemon's process id (systemd passes $MAINPID); default: the one in STATE/jitd.lock.")
    var pid: Int32?

    @Option(help: "Seconds to wait for the outcome.")
    var timeout = 90

    func validate() throws {
        if let pid, pid <= 1 { throw ValidationError("--pid must be a daemon's process id") }
        if timeout < 1 { throw ValidationError("--timeout must be at least 1") }
    }

    func run() throws {
        let (daemon, state) = try findDaemon()
        let asked = ReloadOutcome.now()
        guard kill(daemon, SIGHUP) == 0 else {
            throw failure("cannot signal jitd (pid \(daemon)): \(String(cString: strerror(errno)))")
        }
        let deadline = ReloadOutcome.now() + UInt64(timeout) * 1_000_000
        while ReloadOutcome.now() < deadline {
            if let outcome = ReloadOutcome.read(stateFolder: state), outcome.pid == daemon, outcome.startedUsec >= asked {
                if outcome.applied {
                    if isatty(STDOUT_FILENO) == 1 { print("reloaded: the new config and catalog are in force (pid \(daemon))") }
                    return
                }
                for p in outcome.problems { printError(p) }
                throw failure("reload refused; the config and catalog in force are unchanged (pid \(daemon))")
            }
            if kill(daemon, 0) != 0 && errno == ESRCH { throw failure("jitd (pid \(daemon)) exited during the reload") }
            usleep(50_000)
        }
        throw failure("no answer from jitd (pid \(daemon)) within \(timeout) s; see its log")
    }

    /// The daemon's pid and its state folder.
    private func findDaemon() throws -> (pid: Int32, state: String) {
        if let pid {
            guard kill(pid, 0) == 0 || errno == EPERM else { throw failure("no process \(pid)") }
            if let state = Self.stateFolder(ofDaemon: pid) { return (pid, state) }
            return (pid, try stateFromConfig())
        }
        let state = try stateFromConfig()
        let lock = state + "/jitd.lock"
        guard let text = try? String(contentsOfFile: lock, encoding: .utf8),
              let holder = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
              kill(holder, 0) == 0 || errno == EPERM
        else { throw failure("no jitd serve is running on \(state) (\(lock) names no live process)") }
        return (holder, state)
    }

    /// The state folder of the config, or exit 1 with its problems: a config the daemon would
    /// refuse is not sent to it.
    private func stateFromConfig() throws -> String {
        do {
            return try ConfigLoader.load(path: config).value.statePath
        } catch {
            printError(error.description)
            throw failure("reload not sent: the daemon would refuse \(config)")
        }
    }

    /// The folder of the `jitd.lock` the daemon holds open, read from `/proc/PID/fd`; `nil` when
    /// it cannot be seen (another user's process without the right to look).
    static func stateFolder(ofDaemon pid: Int32) -> String? {
        let folder = "/proc/\(pid)/fd"
        guard let fds = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return nil }
        for fd in fds {
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + fd),
                  target.hasSuffix("/jitd.lock") else { continue }
            return String(target.dropLast("/jitd.lock".count))
        }
        return nil
    }

    private func failure(_ message: String) -> ExitCode {
        printError("jitd reload: \(message)")
        return ExitCode(1)
    }
}
