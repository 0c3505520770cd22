import Foundation

/// Secrets named in the config may come from systemd credentials instead of the file system.
public enum CredentialFile {
    public static func resolve(_ file: String, environment: [String: String]) -> String {
        if let dir = environment["CREDENTIALS_DIRECTORY"] {
            // `LoadCredential=NAME:FILE` gives `NAME`; `LoadCredential=secrets:DIR` gives `secrets_NAME` per file.
            let base = (file as NSString).lastPathComponent
            for candidate in [dir + "/" + base, dir + "/secrets_" + base] where FileManager.default.fileExists(atPath: candidate) {
                return candidate
            }
        }
        return file
    }
}

/// The text of a secret file, where it was read, and what to warn about.
public struct SecretText: Sendable {
    public var text: String
    public var path: String
    /// Set when others may read the file.
    public var warning: String?
}

/// Reads the files that hold secrets (webhook signing secrets, API tokens, credentials): from
/// `$CREDENTIALS_DIRECTORY` when systemd passed one of that name, else from the path given.
///
/// A secret file that group or others may **write** is refused: whoever can write it can sign
/// webhooks or call the API as jitd. One that others may **read** is taken, with a warning. The
/// text itself is never logged.
public enum SecretFile {
    public enum Problem: Error, CustomStringConvertible, Equatable {
        case unreadable(path: String, what: String)
        case writableByOthers(path: String, what: String, mode: UInt16)
        /// The text is not of the shape this kind of secret takes; `expected` says which, and how to make one.
        case malformed(path: String, what: String, expected: String)

        public var description: String {
            switch self {
            case .unreadable(let path, let what):
                "cannot read the \(what) file \(path); check it exists and jitd may read it"
            case .malformed(let path, let what, let expected):
                "\(what) in \(path) must be \(expected)"
            case .writableByOthers(let path, let what, let mode):
                "the \(what) file \(path) may be written by \(SecretFile.who(mode)) (mode \(SecretFile.octal(mode))); whoever can write it can act as jitd. "
                    + "Let only its owner write it: chmod go-w \(path) (e.g. chown root:jitd and chmod 0640)"
            }
        }
    }

    public static func read(_ file: String, what: String,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws(Problem) -> SecretText {
        let path = CredentialFile.resolve(file, environment: environment)
        var st = stat()
        guard stat(path, &st) == 0 else { throw .unreadable(path: path, what: what) }
        let mode = UInt16(st.st_mode & 0o7777)
        if mode & 0o022 != 0 { throw .writableByOthers(path: path, what: what, mode: mode) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw .unreadable(path: path, what: what)
        }
        let warning = mode & 0o004 != 0
            ? "the \(what) file \(path) may be read by every user of this machine (mode \(octal(mode))); chmod o-r \(path) (e.g. chown root:jitd and chmod 0640)"
            : nil
        return SecretText(text: text, path: path, warning: warning)
    }

    /// Reads a secret file (``read(_:what:environment:)``) and makes its value with `parse`, which
    /// gives `nil` for text that is not `expected`; `warn` hears about a file others may read.
    public static func value<T>(_ file: String, what: String, expected: String, environment: [String: String],
                                warn: (String) -> Void, parse: (String) -> T?) throws(Problem) -> T {
        let secret = try read(file, what: what, environment: environment)
        if let w = secret.warning { warn(w) }
        guard let value = parse(secret.text) else { throw .malformed(path: secret.path, what: what, expected: expected) }
        return value
    }

    static func who(_ mode: UInt16) -> String {
        switch (mode & 0o020 != 0, mode & 0o002 != 0) {
        case (true, true): "its group and every user"
        case (true, false): "its group"
        default: "every user"
        }
    }

    static func octal(_ mode: UInt16) -> String {
        let o = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - o.count)) + o
    }
}
