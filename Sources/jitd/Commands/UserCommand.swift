import ArgumentParser
import Foundation
import JitdCore
import JitdDaemon
import JitdServer
import JitdStore

/// `jitd user`: the console's local accounts.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the console's local accounts (roles: viewer, educator, admin).",
        discussion: "Passwords are read from a prompt without echo, or from standard input with --password-stdin, and stored as scrypt hashes. A password change or removal signs the user out everywhere.",
        subcommands: [Add.self, Remove.self, List.self, Passwd.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user with a role and a password.")
        @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"
        @Option(help: "viewer, educator or admin.") var role: String = "viewer"
        @Flag(help: "Read the password from standard input (one line) instead of a prompt.") var passwordStdin = false
        @Flag(help: "No password: the user signs in only through the trusted reverse proxy ([console] trusted_proxies).") var proxyOnly = false
        @Option(help: .hidden) var scryptLogN: Int = PasswordHash.logN
        @Argument(help: "The user name (as the reverse proxy sends it, if it is used).") var name: String

        func validate() throws {
            guard ConsoleRole(rawValue: role) != nil else { throw ValidationError("--role \(Brief.quoted(role)): use viewer, educator or admin") }
            guard UserCommand.validName(name) else {
                throw ValidationError("\(Brief.quoted(name)) is not a user name: use 1 to 256 characters without control characters, spaces at either end or ';'")
            }
            if proxyOnly && passwordStdin { throw ValidationError("--proxy-only takes no password; leave out --password-stdin") }
            guard (10...20).contains(scryptLogN) else { throw ValidationError("--scrypt-log-n must be from 10 to 20") }
        }

        func run() throws {
            let store = try UserCommand.store(config)
            // A lower cost (--scrypt-log-n, hidden) is for tests on unoptimised builds.
            let hash = proxyOnly ? nil : try UserCommand.newPasswordHash(stdin: passwordStdin, logN: scryptLogN, p: scryptLogN == PasswordHash.logN ? PasswordHash.p : 1)
            do {
                try store.addConsoleUser(ConsoleUser(name: name, role: ConsoleRole(rawValue: role)!, passwordHash: hash, createdAt: JitdCommandClock.now()))
            } catch let e as ConsoleAccountError {
                printError("error: \(e)")
                throw ExitCode(1)
            }
            print("added \(name) (\(role))" + (proxyOnly ? ", signing in through the reverse proxy only" : ""))
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a user and sign them out everywhere.")
        @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"
        @Argument(help: "The user name.") var name: String

        func run() throws {
            do { try UserCommand.store(config).removeConsoleUser(name) } catch let e as ConsoleAccountError {
                printError("error: \(e)")
                throw ExitCode(1)
            }
            print("removed \(name)")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users: name, role, how they sign in, last sign-in.")
        @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"

        func run() throws {
            for u in try UserCommand.store(config).consoleUsers() {
                print("\(u.name)\t\(u.role.rawValue)\t\(u.passwordHash == nil ? "proxy-only" : "password")\tlast sign-in \(u.lastSignIn?.rfc3339 ?? "never")")
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a user's password (and optionally role); signs them out everywhere.")
        @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"
        @Option(help: "A new role: viewer, educator or admin.") var role: String?
        @Flag(help: "Read the password from standard input (one line) instead of a prompt.") var passwordStdin = false
        @Argument(help: "The user name.") var name: String

        func validate() throws {
            if let role, ConsoleRole(rawValue: role) == nil { throw ValidationError("--role \(Brief.quoted(role)): use viewer, educator or admin") }
        }

        func run() throws {
            let store = try UserCommand.store(config)
            guard try store.consoleUser(named: name) != nil else {
                printError("error: \(ConsoleAccountError.unknown(name))")
                throw ExitCode(1)
            }
            let hash = try UserCommand.newPasswordHash(stdin: passwordStdin)
            try store.updateConsoleUser(name, passwordHash: hash, role: role.flatMap(ConsoleRole.init(rawValue:)), now: JitdCommandClock.now())
            print("password of \(name) changed" + (role.map { "; role \($0)" } ?? "") + "; signed out everywhere")
        }
    }

    static func validName(_ n: String) -> Bool {
        !n.isEmpty && n.utf8.count <= 256 && n.trimmingCharacters(in: .whitespaces) == n && !n.contains(";")
            && !n.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The database of the config, created if the daemon has not run yet.
    static func store(_ config: String) throws -> Store {
        let cfg = loadConfigOrExit(config)
        do { return try Daemon.openStore(cfg) } catch let e as DaemonExit { throw ExitCode(e.status) }
    }

    /// A password read and checked, hashed.
    static func newPasswordHash(stdin: Bool, logN: Int = PasswordHash.logN, p: Int = PasswordHash.p) throws -> String {
        let password: String
        if stdin {
            guard let line = readLine(strippingNewline: true) else {
                printError("error: no password on standard input")
                throw ExitCode(1)
            }
            password = line
        } else {
            guard let first = Terminal.readSecret(prompt: "Password: "), let again = Terminal.readSecret(prompt: "Again: ") else {
                printError("error: no terminal to read a password from; pipe it in with --password-stdin")
                throw ExitCode(1)
            }
            guard first == again else {
                printError("error: the two passwords differ; nothing changed")
                throw ExitCode(1)
            }
            password = first
        }
        do { try PasswordHash.check(password) } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        return try PasswordHash.make(password, logN: logN, p: p)
    }
}

/// Reading a secret from the terminal with echo off.
enum Terminal {
    static func readSecret(prompt: String) -> String? {
        let fd = open("/dev/tty", O_RDWR)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var old = termios()
        guard tcgetattr(fd, &old) == 0 else { return nil }
        var quiet = old
        quiet.c_lflag &= ~tcflag_t(ECHO)
        _ = write(fd, prompt, prompt.utf8.count)
        tcsetattr(fd, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(fd, TCSAFLUSH, &old)
            _ = write(fd, "\n", 1)
        }
        var bytes: [UInt8] = []
        var c: UInt8 = 0
        while read(fd, &c, 1) == 1, c != 10, c != 13 { bytes.append(c) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
