import Foundation
import Testing

@Suite struct SystemdUnitTests {
    static let analyze = "/usr/bin/systemd-analyze"
    static var haveAnalyze: Bool { FileManager.default.isExecutableFile(atPath: analyze) }
    static let units = Harness.repo.appendingPathComponent("systemd").path

    /// The units as installed, with `ExecStart=` pointing at the binary under test (verify wants
    /// it to exist).
    func installedCopy() throws -> String {
        let dir = NSTemporaryDirectory() + "jitd-units-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for name in ["jitd.service", "jitd.socket"] {
            let text = try String(contentsOfFile: Self.units + "/" + name, encoding: .utf8)
                .replacingOccurrences(of: "/usr/local/bin/jitd", with: Harness.binary)
            try text.write(toFile: dir + "/" + name, atomically: true, encoding: .utf8)
        }
        return dir
    }

    @Test(.enabled(if: haveAnalyze)) func unitsVerify() throws {
        let dir = try installedCopy()
        let r = try Harness.run([Self.analyze, "verify", "--man=no", dir + "/jitd.service", dir + "/jitd.socket"])
        #expect(r.status == 0, "systemd-analyze verify:\n\(r.out)\(r.err)")
        #expect(r.err.isEmpty, "no warnings either:\n\(r.err)")
    }

    @Test(.enabled(if: haveAnalyze)) func serviceExposureIsAtMostTwo() throws {
        let dir = try installedCopy()
        let r = try Harness.run([Self.analyze, "security", "--offline=true", dir + "/jitd.service"])
        let line = try #require((r.out + r.err).split(separator: "\n").first { $0.contains("Overall exposure level") },
                                "no overall score:\n\(r.out)\(r.err)")
        let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
        let value = try #require(score, "\(line)")
        #expect(value <= 2.0, "\(line)")
        print("systemd-analyze security jitd.service: \(line)")
    }

    /// The documented drop-in that lets jitd reach only its receivers parses, and systemd's
    /// exposure check sees the allow list it sets.
    @Test(.enabled(if: haveAnalyze)) func ipAddressDropInApplies() throws {
        let dir = try installedCopy()
        #expect(try ipAddressCheck(dir).contains("does not define an IP address allow list"))
        try FileManager.default.createDirectory(atPath: dir + "/jitd.service.d", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.units + "/examples/ip-address-allow.conf", toPath: dir + "/jitd.service.d/ip-address-allow.conf")
        let r = try Harness.run([Self.analyze, "verify", "--man=no", dir + "/jitd.service"])
        #expect(r.status == 0 && r.err.isEmpty, "systemd-analyze verify with the drop-in:\n\(r.out)\(r.err)")
        let check = try ipAddressCheck(dir)
        #expect(check.contains("defines IP address allow list"), "\(check)")
        print("systemd-analyze security jitd.service with ip-address-allow.conf: \(check)")
    }

    /// The `IPAddressDeny=` line of `systemd-analyze security`.
    func ipAddressCheck(_ dir: String) throws -> String {
        let r = try Harness.run([Self.analyze, "security", "--offline=true", dir + "/jitd.service"])
        return (r.out + r.err).split(separator: "\n").first { $0.contains("IPAddressDeny=") }
            .map { $0.split(separator: " ").filter { !$0.isEmpty }.joined(separator: " ") } ?? ""
    }

    /// The service unit asks for what the daemon does.
    @Test func serviceUnitContract() throws {
        let text = try String(contentsOfFile: Self.units + "/jitd.service", encoding: .utf8)
        for line in ["Type=notify", "NotifyAccess=main", "WatchdogSec=", "ExecReload=/usr/local/bin/jitd reload --pid $MAINPID", "Restart=on-failure",
                     "TimeoutAbortSec=", "Environment=SWIFT_BACKTRACE=enable=no", "Environment=LIBDISPATCH_LOG=NO",
                     "StateDirectory=jitd", "ConfigurationDirectory=jitd", "LoadCredential=", "ProtectSystem=strict",
                     "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes", "CapabilityBoundingSet=",
                     "SystemCallFilter=@system-service", "RestrictAddressFamilies=", "MemoryDenyWriteExecute=yes"] {
            #expect(text.contains("\n" + line), "\(line)")
        }
        let socket = try String(contentsOfFile: Self.units + "/jitd.socket", encoding: .utf8)
        #expect(socket.contains("FileDescriptorName=api"))
    }

    /// `make install-files` lays out the binary, units, sysusers/tmpfiles files and the example
    /// config under `DESTDIR` and `PREFIX` (the full `make install` builds in release mode first).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/make")))
    func makeInstallLaysOutTheFiles() throws {
        let dest = NSTemporaryDirectory() + "jitd-install-" + UUID().uuidString
        let r = try Harness.run(["/usr/bin/make", "-s", "-C", Harness.repo.path, "install-files", "DESTDIR=\(dest)", "PREFIX=/usr",
                                 "BINARY=\(Harness.binary)"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        for path in ["/usr/bin/jitd", "/usr/lib/systemd/system/jitd.service", "/usr/lib/systemd/system/jitd.socket",
                     "/usr/lib/sysusers.d/jitd.conf", "/usr/lib/tmpfiles.d/jitd.conf", "/etc/jitd/jitd.toml",
                     "/usr/share/doc/jitd/examples/jitd.toml", "/usr/share/doc/jitd/operations.md",
                     "/usr/share/doc/jitd/examples/ip-address-allow.conf", "/usr/share/man/man8/jitd.8.gz", "/etc/jitd/catalog.d"] {
            #expect(FileManager.default.fileExists(atPath: dest + path), "\(path)")
        }
        let unit = (try? String(contentsOfFile: dest + "/usr/lib/systemd/system/jitd.service", encoding: .utf8)) ?? ""
        #expect(unit.contains("ExecStart=/usr/bin/jitd serve --config /etc/jitd/jitd.toml"))
        #expect(!unit.contains("/usr/local"))
        #expect(unit.contains("ExecReload=/usr/bin/jitd reload --pid $MAINPID"))
        let u = try Harness.run(["/usr/bin/make", "-s", "-C", Harness.repo.path, "uninstall", "DESTDIR=\(dest)", "PREFIX=/usr"])
        #expect(u.status == 0, "\(u.out)\(u.err)")
        #expect(!FileManager.default.fileExists(atPath: dest + "/usr/bin/jitd"))
        #expect(FileManager.default.fileExists(atPath: dest + "/etc/jitd/jitd.toml"), "uninstall keeps the config")
    }
}
