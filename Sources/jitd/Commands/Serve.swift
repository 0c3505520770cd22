import ArgumentParser
import JitdDaemon

/// `jitd serve`: the daemon.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the daemon.")

    @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"

    func run() async throws {
        do { try await Daemon.serve(configPath: config) } catch let exit as DaemonExit { throw ExitCode(exit.status) }
    }
}
