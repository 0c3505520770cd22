/// The version `jitd --version` prints, the man page carries and `make deb` names the package
/// after. Raise it with a new entry in packaging/deb/changelog (a test checks they agree).
enum JitdVersion {
    static let current = "0.1.0"
}
