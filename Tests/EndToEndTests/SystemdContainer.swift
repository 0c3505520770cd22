import Foundation

/// An OS container booted with a real systemd as its PID 1, for tests that need a service
/// manager: `systemd-nspawn --boot` on a throw-away overlay of the host's root (a tmpfs holds
/// the changes), with a private network and chosen folders hidden under empty tmpfs mounts.
///
/// Needs root, `systemd-nspawn` (Debian's systemd-container) and the right to mount tmpfs and
/// overlay file systems. Commands run inside through `nsenter` into the container's PID 1.
final class SystemdContainer: @unchecked Sendable {
    static let nspawn = "/usr/bin/systemd-nspawn"

    /// Why a container cannot be booted here, or `nil` when it can.
    static func unavailableReason() -> String? {
        if getuid() != 0 { return "needs root to boot a systemd container (systemd-nspawn, overlay mounts)" }
        if !FileManager.default.isExecutableFile(atPath: nspawn) {
            return "needs systemd-nspawn: apt-get install systemd-container (scripts/setup does)"
        }
        if !FileManager.default.isExecutableFile(atPath: "/lib/systemd/systemd") { return "needs systemd installed on the host" }
        let probe = NSTemporaryDirectory() + "jitd-mount-probe-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: probe) }
        try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)
        guard (try? Harness.run(["/bin/mount", "-t", "tmpfs", "-o", "size=1M", "tmpfs", probe]))?.status == 0 else {
            return "cannot mount a tmpfs here (an unprivileged container?); a systemd container needs it"
        }
        _ = try? Harness.run(["/bin/umount", probe])
        return nil
    }

    /// Host units that would start in a container booted from the host's root; they are masked.
    static let hostUnitFolders = ["/etc/systemd/system/multi-user.target.wants", "/etc/systemd/system/default.target.wants",
                                  "/etc/systemd/system/getty.target.wants", "/etc/systemd/system/sysinit.target.wants",
                                  "/etc/systemd/system/timers.target.wants", "/etc/systemd/system/sockets.target.wants"]

    let name: String
    let scratch: String
    var root: String { scratch + "/root" }
    private var nspawnProcess: Process?
    private(set) var leader: pid_t = 0
    private var mounted: [String] = []

    /// Lays the overlay and boots; returns once the container's systemd has finished starting.
    /// `hide` lists folders to cover with an empty tmpfs inside (the Swift toolchain's).
    init(hide: [String]) throws {
        name = "jitdtest" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
        scratch = NSTemporaryDirectory() + "jitd-nspawn-" + UUID().uuidString
        do {
            try boot(hide: hide)
        } catch {
            shutdown()
            throw error
        }
    }

    private func boot(hide: [String]) throws {
        let ovl = scratch + "/ovl"
        for dir in [ovl, root] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try Self.must(["/bin/mount", "-t", "tmpfs", "-o", "size=4G,mode=0755", "tmpfs", ovl])
        mounted.append(ovl)
        for dir in [ovl + "/upper", ovl + "/work"] { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        try Self.must(["/bin/mount", "-t", "overlay", "overlay", "-o", "lowerdir=/,upperdir=\(ovl)/upper,workdir=\(ovl)/work", root])
        mounted.insert(root, at: 0)

        // Every service, socket and timer the host enables would start in here too; mask them.
        var masked: Set<String> = ["getty@tty1.service", "console-getty.service", "openipmi.service", "systemd-timesyncd.service"]
        for folder in Self.hostUnitFolders {
            for unit in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where !unit.hasSuffix(".target") {
                masked.insert(unit)
            }
        }
        for unit in masked {
            let link = root + "/etc/systemd/system/" + unit
            try? FileManager.default.removeItem(atPath: link)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "/dev/null")
        }

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.nspawn)
        p.arguments = ["--directory=\(root)", "--boot", "--register=no", "--keep-unit", "--machine=\(name)",
                       "--private-network", "--console=passive"] + hide.map { "--tmpfs=\($0)" }
            + ["--", "systemd.unit=multi-user.target"]
        _ = FileManager.default.createFile(atPath: scratch + "/console.log", contents: nil)
        let log = FileHandle(forWritingAtPath: scratch + "/console.log")!
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = log
        p.standardError = log
        try p.run()
        nspawnProcess = p

        // The container's PID 1 is the nspawn process's child once that child has become systemd
        // (nspawn forks through an intermediate process first).
        let deadline = Date().addingTimeInterval(30)
        while leader == 0 && Date() < deadline {
            let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/task")) ?? []
            for t in tasks {
                let children = (try? String(contentsOfFile: "/proc/\(p.processIdentifier)/task/\(t)/children", encoding: .utf8)) ?? ""
                for child in children.split(separator: " ") {
                    let comm = (try? String(contentsOfFile: "/proc/\(child)/comm", encoding: .utf8)) ?? ""
                    if comm.trimmingCharacters(in: .whitespacesAndNewlines) == "systemd", let pid = pid_t(child) { leader = pid }
                }
            }
            if leader == 0 { usleep(100_000) }
            guard p.isRunning else { throw ContainerError.failed("systemd-nspawn exited:\n" + console) }
        }
        guard leader != 0 else { throw ContainerError.failed("no container PID 1 after 30 s:\n" + console) }
        // Until its manager's socket exists, systemctl cannot ask it anything; then it waits.
        var state = (status: Int32(1), out: "", err: "")
        let booted = Date().addingTimeInterval(120)
        while Date() < booted {
            state = try sh("systemctl is-system-running --wait", timeout: 120)
            if ["running", "degraded"].contains(state.out.trimmingCharacters(in: .whitespacesAndNewlines)) { return }
            usleep(500_000)
        }
        throw ContainerError.failed("the container's systemd did not finish starting: \(state.out)\(state.err)\n" + console)
    }

    var console: String { (try? String(contentsOfFile: scratch + "/console.log", encoding: .utf8)) ?? "" }

    /// Runs a shell script inside as root, with a clean environment; gives up after `timeout`.
    @discardableResult
    func sh(_ script: String, timeout: Int = 120) throws -> (status: Int32, out: String, err: String) {
        try Harness.run(["/usr/bin/nsenter", "-t", String(leader), "-a", "/usr/bin/env", "-i",
                         "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
                         "SYSTEMD_PAGER=cat", "SYSTEMD_COLORS=0", "/usr/bin/timeout", "--kill-after=5", String(timeout),
                         "/bin/sh", "-c", script])
    }

    /// Like ``sh(_:timeout:)``, but throws with the output unless the script exits 0.
    @discardableResult
    func must(_ script: String, timeout: Int = 120) throws -> String {
        let r = try sh(script, timeout: timeout)
        guard r.status == 0 else { throw ContainerError.failed("`\(script)` exited \(r.status):\n\(r.out)\(r.err)") }
        return r.out
    }

    /// Copies a host file into the container's file system.
    func copyIn(_ host: String, to path: String, mode: Int = 0o644) throws {
        let target = root + path
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: host, toPath: target)
        chmod(target, mode_t(mode))
    }

    /// Writes a file into the container's file system.
    func write(_ path: String, _ text: String, mode: Int = 0o644) throws {
        let target = root + path
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: target, atomically: true, encoding: .utf8)
        chmod(target, mode_t(mode))
    }

    /// Powers the container off, waits for it, and removes the mounts and the scratch folder.
    func shutdown() {
        if let p = nspawnProcess, p.isRunning {
            if leader != 0 { _ = try? sh("systemctl poweroff", timeout: 10) }
            let deadline = Date().addingTimeInterval(60)
            while p.isRunning && Date() < deadline { usleep(200_000) }
            if p.isRunning {
                kill(p.processIdentifier, SIGKILL)
                p.waitUntilExit()
            }
        }
        for m in mounted { _ = try? Harness.run(["/bin/umount", m]) }
        mounted = []
        try? FileManager.default.removeItem(atPath: scratch)
    }

    static func must(_ args: [String]) throws {
        let r = try Harness.run(args)
        guard r.status == 0 else { throw ContainerError.failed("\(args.joined(separator: " ")) exited \(r.status): \(r.err)") }
    }
}

enum ContainerError: Error, CustomStringConvertible {
    case failed(String)
    var description: String { if case .failed(let s) = self { s } else { "" } }
}
