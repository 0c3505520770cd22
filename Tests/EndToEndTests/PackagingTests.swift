import Foundation
import Testing

/// The Debian package `make deb` builds: its files, metadata and maintainer scripts, and what
/// lintian says of it. The package is found as in ``SystemdContainerTests``.
@Suite struct PackagingTests {
    static let deb = SystemdContainerTests.package.flatMap { FileManager.default.fileExists(atPath: $0) ? $0 : nil }
    static let haveDpkg = FileManager.default.isExecutableFile(atPath: "/usr/bin/dpkg-deb")
    static let scripts = Harness.repo.appendingPathComponent("packaging/deb").path

    /// The maintainer scripts are POSIX sh that parses, and do what the docs promise.
    @Test func maintainerScriptsParse() throws {
        for name in ["postinst", "prerm", "postrm"] {
            let r = try Harness.run(["/bin/sh", "-n", Self.scripts + "/" + name])
            #expect(r.status == 0, "\(name): \(r.err)")
        }
        let postinst = try String(contentsOfFile: Self.scripts + "/postinst", encoding: .utf8)
        #expect(postinst.contains("systemd-sysusers") && postinst.contains("systemd-tmpfiles --create"))
        let enables = postinst.split(separator: "\n").filter {
            $0.trimmingCharacters(in: .whitespaces).hasPrefix("systemctl enable") || $0.contains("deb-systemd-helper enable")
        }
        #expect(enables.isEmpty, "the package does not enable the service: \(enables)")
        let postrm = try String(contentsOfFile: Self.scripts + "/postrm", encoding: .utf8)
        #expect(postrm.contains("\"$1\" = \"purge\"") && postrm.contains("rm -rf /var/lib/jitd /etc/jitd"))
    }

    @Test(.enabled(if: deb != nil && haveDpkg, "no package: run `make deb` first (or set JITD_DEB)"))
    func packageContentsAndMetadata() throws {
        let deb = try #require(Self.deb)
        let contents = try Harness.run(["/usr/bin/dpkg-deb", "--contents", deb]).out
        for path in ["./usr/bin/jitd", "./lib/systemd/system/jitd.service", "./lib/systemd/system/jitd.socket",
                     "./usr/lib/sysusers.d/jitd.conf", "./usr/lib/tmpfiles.d/jitd.conf", "./etc/jitd/jitd.toml",
                     "./etc/jitd/catalog.d/", "./usr/share/man/man8/jitd.8.gz", "./usr/share/doc/jitd/copyright",
                     "./usr/share/doc/jitd/changelog.gz", "./usr/share/doc/jitd/examples/ip-address-allow.conf"] {
            #expect(contents.contains(" " + path), "\(path) in the package")
        }
        #expect(!contents.contains("/usr/local"), "nothing under /usr/local")
        let info = try Harness.run(["/usr/bin/dpkg-deb", "--info", deb]).out
        for field in ["Package: jitd", "Architecture: amd64", "libsqlite3-0", "libsystemd0", "systemd (>= 249)"] {
            #expect(info.contains(field), "\(field) in:\n\(info)")
        }
        #expect(!info.contains("swift"), "no dependency on a Swift toolchain")
        let conffiles = try Harness.run(["/usr/bin/dpkg-deb", "--info", deb, "conffiles"]).out
        #expect(conffiles.trimmingCharacters(in: .whitespacesAndNewlines) == "/etc/jitd/jitd.toml")
        let unit = try Harness.run(["/bin/sh", "-c", "dpkg-deb --fsys-tarfile \"$0\" | tar -xOf - ./lib/systemd/system/jitd.service", deb]).out
        #expect(unit.contains("ExecStart=/usr/bin/jitd serve") && unit.contains("ExecReload=/usr/bin/jitd reload --pid $MAINPID"))
        #expect(unit.contains("Environment=SWIFT_BACKTRACE=enable=no") && unit.contains("TimeoutAbortSec="))
        // The binary inside stands alone: no Swift runtime from a toolchain.
        let dir = NSTemporaryDirectory() + "jitd-deb-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(try Harness.run(["/usr/bin/dpkg-deb", "--extract", deb, dir]).status == 0)
        let readelf = try Harness.run(["/usr/bin/readelf", "-d", dir + "/usr/bin/jitd"]).out
        #expect(!readelf.contains("libswiftCore") && !readelf.contains("libFoundation") && !readelf.contains("RUNPATH"), "\(readelf)")
    }

    @Test(.enabled(if: deb != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/lintian"),
                   "no package or no lintian: run `make deb` (scripts/setup installs lintian)"))
    func lintianReportsNoError() throws {
        let deb = try #require(Self.deb)
        let r = try Harness.run(["/usr/bin/lintian", "--fail-on", "error", "--display-info", deb])
        print("lintian \((deb as NSString).lastPathComponent):\n" + (r.out.isEmpty ? "(no tags)\n" : r.out))
        #expect(r.status == 0, "lintian:\n\(r.out)\(r.err)")
        #expect(!r.out.contains("E: "), "\(r.out)")
    }
}
