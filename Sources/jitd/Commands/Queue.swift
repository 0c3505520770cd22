import ArgumentParser
import Foundation
import JitdCore
import JitdDispatch
import JitdIngest
import JitdStore

/// `jitd queue`: the operator's view of the webhook outbox.
struct Queue: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and repair the webhook queue.",
        subcommands: [List.self, Show.self, Endpoints.self, Redeliver.self, Enable.self, Disable.self, PurgeDead.self, PublicKey.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List messages in a state (default: dead).")
        @OptionGroup var options: StoreOptions
        @Option(help: "pending, leased, delivered, dead, expired or cancelled.") var state = OutboxState.dead
        @Option(help: "Only this endpoint.") var endpoint: String?

        func run() throws {
            let store = try options.openStore()
            for m in try store.messages(state: state, endpoint: endpoint) {
                let line: JSONValue = .object(["id": .int(Int(m.id)), "webhook_id": .string(m.eventID), "endpoint": .string(m.endpoint),
                                               "type": .string(m.type), "attempts": .int(m.attempts), "run_at": .string(m.runAt.rfc3339),
                                               "last_error": m.lastError.map(JSONValue.string) ?? .null])
                FileHandle.standardOutput.write(line.encoded() + Data("\n".utf8))
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one message and every attempt to deliver it.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The message id (from `jitd queue list`).") var id: Int64

        func run() throws {
            let store = try options.openStore()
            guard let (m, attempts) = try store.message(id: id) else {
                printError("no message \(id) in the queue (delivered messages are pruned after [queue] retention_days)")
                throw ExitCode(1)
            }
            print("message \(m.id)  webhook-id \(m.eventID)  endpoint \(m.endpoint)  type \(m.type)  state \(m.state.rawValue)")
            print("queued \(m.createdAt.rfc3339)  next run \(m.runAt.rfc3339)" + (m.expiresAt.map { "  expires \($0.rfc3339)" } ?? ""))
            if let e = m.lastError { print("last error: \(e)") }
            for a in attempts {
                let answer = a.status.map { "HTTP \($0)" } ?? "no answer"
                print("  attempt \(a.attempt)  \(a.at.rfc3339)  \(answer)  \(a.durationMs) ms" + (a.error.map { "  \($0)" } ?? ""))
            }
        }
    }

    struct Endpoints: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show each configured endpoint (webhook or lrs): enabled or disabled, and its messages by state.")
        @OptionGroup var options: StoreOptions

        func run() throws {
            let cfg = loadConfigOrExit(options.config)
            let store = try options.openStore(cfg)
            let disabled = try store.disabledEndpoints()
            let counts = try store.queueCountsByEndpoint()
            let endpoints = cfg.webhooks.map { ($0.name, "webhook", $0.url) } + cfg.lrs.map { ($0.name, "lrs", $0.endpoint) }
            for (name, kind, url) in endpoints {
                let state = disabled[name].map { "disabled since \($0.since.rfc3339): \($0.reason)" } ?? "enabled"
                let c = countsText(counts[name, default: [:]])
                print("\(name)  \(state)  [\(c.isEmpty ? "no messages" : c)]  \(kind) \(url)")
            }
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Enable an endpoint a receiver disabled with 410 Gone; its waiting messages go out.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The endpoint's name.") var endpoint: String

        func run() throws {
            let store = try options.openStore()
            let was = try store.enableEndpoint(endpoint, now: JitdCommandClock.now())
            print(was ? "\(endpoint) enabled; a running daemon resumes delivery within a few seconds, at a bounded rate"
                      : "\(endpoint) was not disabled")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop delivering to an endpoint (its messages wait) until `jitd queue enable`.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Why, for the record.") var reason = "disabled by an operator"
        @Argument(help: "The endpoint's name.") var endpoint: String

        func run() throws {
            let store = try options.openStore()
            try store.disableEndpoint(endpoint, reason: reason, now: JitdCommandClock.now())
            print("\(endpoint) disabled; a running daemon stops delivering to it within a few seconds")
        }
    }

    struct Redeliver: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queue dead messages again: by id, or all of an endpoint.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Redeliver every dead message of this endpoint.") var endpoint: String?
        @Argument(help: "Message ids (from `jitd queue list`).") var ids: [Int64] = []

        func validate() throws {
            if ids.isEmpty == (endpoint == nil) { throw ValidationError("give message ids or --endpoint NAME (not both)") }
        }

        func run() throws {
            let store = try options.openStore()
            let n = try store.redeliver(ids: ids.isEmpty ? nil : ids, endpoint: endpoint, now: JitdCommandClock.now())
            print("\(n) messages queued again; a running daemon sends them within its next poll")
        }
    }

    struct PublicKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "public-key", abstract: "Print the whpk_ public key receivers verify an endpoint's v1a signatures with.")
        @OptionGroup var options: StoreOptions
        @Argument(help: "The endpoint's name.") var endpoint: String

        func run() throws {
            let cfg = loadConfigOrExit(options.config)
            guard let w = cfg.webhooks.first(where: { $0.name == endpoint }) else {
                printError("\(options.config): error: no [[webhook]] named \(Brief.quoted(endpoint))")
                throw ExitCode(1)
            }
            let keys = try w.secretFiles.map { try WebhookSecret.load(file: $0, warn: { printError("warning: \($0)") }) }.compactMap(\.publicKey)
            guard !keys.isEmpty else {
                printError("\(endpoint) signs with whsec_ secrets only (v1, HMAC); give it a whsk_ secret file for v1a signatures")
                throw ExitCode(1)
            }
            keys.forEach { print($0) }
        }
    }

    struct PurgeDead: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "purge-dead", abstract: "Delete dead messages older than N days.")
        @OptionGroup var options: StoreOptions
        @Option(help: "Age in days.") var olderThanDays = 30

        func run() throws {
            let store = try options.openStore()
            let n = try store.purgeDead(before: JitdCommandClock.now().adding(seconds: -Int64(olderThanDays) * 86_400))
            print("\(n) dead messages deleted")
        }
    }
}

/// `jitd status`: counts from the store, for a quick look without the API.
struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show assignment and queue counts.")
    @OptionGroup var options: StoreOptions

    func run() throws {
        let store = try options.openStore()
        let a = try store.assignmentCounts(), q = try store.queueCounts()
        print("assignments: " + countsText(a))
        print("queue: " + countsText(q))
        for d in try store.disabledEndpoints().values.sorted(by: { $0.name < $1.name }) {
            print("endpoint \(d.name) disabled since \(d.since.rfc3339): \(d.reason) (jitd queue enable \(d.name))")
        }
        for u in try store.staleUnits() {
            let last = u.lastShiftEnd.map { "its last shift ended \($0.rfc3339)" } ?? "it has never had a shift"
            print("roster stale: \(u.unit) has no shift ahead since \(u.since.rfc3339) (\(last)); planning for it waits for a roster")
        }
        let overdue = try store.openOverdueCount()
        if overdue > 0 { print("training overdue: \(overdue) people past a due date untrained") }
    }
}

/// `delivered 3, pending 1`: counts by name, in name order.
func countsText(_ counts: [String: Int]) -> String {
    counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
}

/// `--config`, for the commands that read the daemon's database beside it.
struct StoreOptions: ParsableArguments {
    @Option(help: "The config file.") var config = "/etc/jitd/jitd.toml"

    /// The database the config names; exits 1 when there is none yet.
    func openStore() throws -> Store { try openStore(loadConfigOrExit(config)) }

    /// The database of a config already loaded from `config`.
    func openStore(_ cfg: Config) throws -> Store {
        guard FileManager.default.fileExists(atPath: cfg.databasePath) else {
            printError("\(cfg.databasePath): error: no database yet; has `jitd serve` run with this config?")
            throw ExitCode(1)
        }
        return try Store(path: cfg.databasePath)
    }
}

extension OutboxState: ExpressibleByArgument {}
