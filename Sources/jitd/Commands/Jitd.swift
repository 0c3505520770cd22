import ArgumentParser
import Foundation

@main
struct Jitd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jitd",
        abstract: "Just-in-time training scheduler for hospitals.",
        discussion: "Reads shift rosters from a watched folder, finds gaps where a clinician can step away without taking the unit below safe staffing, and pushes micro-training assignments to integrators as signed webhooks.",
        version: JitdVersion.current,
        subcommands: [Serve.self, Reload.self, Validate.self, PlanCommand.self, Queue.self, Status.self, UserCommand.self])

    /// The exit codes the command line promises (docs/configuration.md): 0 valid, 1 invalid input, 2 usage error.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand {
                try await async.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints to standard error.
func printError(_ s: String) {
    FileHandle.standardError.write(Data((s + "\n").utf8))
}
