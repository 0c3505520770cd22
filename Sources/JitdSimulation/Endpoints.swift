import Foundation
import JitdCore

/// How a receiver behaves at a moment.
enum ReceiverMode: Equatable {
    case healthy
    /// Answers 503 to this share of requests.
    case failing(Double)
    /// Never answers (the lease runs out); takes the message in with this probability first.
    case hanging(Double)
    /// Answers 410 Gone to its next request; the endpoint stays disabled until an operator enables it.
    case gone
}

/// The receivers' bad hours over the period, drawn from the seed.
struct ReceiverIncidents {
    struct Incident {
        var endpoint: String
        var from: Int64
        var to: Int64
        var mode: ReceiverMode
    }

    private(set) var incidents: [Incident] = []

    init(endpoints: [String], from: Int64, to: Int64, rng: inout SplitMix64) {
        for (k, name) in endpoints.enumerated() {
            var t = from + Int64(rng.int(2...30)) * 3600
            var first = true
            while t < to {
                // Each endpoint's first incident is of its own kind, so that even a short run sees
                // a failing, a hanging and a retired receiver.
                let roll = first ? [50, 10, 90][k % 3] : rng.below(100)
                first = false
                let mode: ReceiverMode
                let minutes: Int
                // The chat bridge tends to hang, the pager to fail; any of them may be retired.
                let hangs = name == "chat" ? 50 : 20
                if roll < hangs {
                    mode = .hanging(rng.chance(0.5) ? 0.5 : 0.0)
                    minutes = rng.int(10...240)
                } else if roll < 80 {
                    mode = .failing([0.5, 0.9, 1.0][rng.below(3)])
                    minutes = rng.int(10...180)
                } else {
                    mode = .gone
                    minutes = 60
                }
                incidents.append(Incident(endpoint: name, from: t, to: t + Int64(minutes) * 60, mode: mode))
                t += Int64(minutes) * 60 + Int64(rng.int(6...60)) * 3600
            }
        }
        incidents.sort { ($0.from, $0.endpoint) < ($1.from, $1.endpoint) }
    }

    /// A `gone` incident answers once; after that the receiver is well again, waiting for the operator.
    private var goneAnswered: Set<String> = []

    mutating func mode(_ endpoint: String, at t: Int64) -> ReceiverMode {
        guard let i = incidents.first(where: { $0.endpoint == endpoint && $0.from <= t && t < $0.to }) else { return .healthy }
        if i.mode == .gone && goneAnswered.contains("\(endpoint)@\(i.from)") { return .healthy }
        return i.mode
    }

    mutating func answeredGone(_ endpoint: String, at t: Int64) {
        if let i = incidents.first(where: { $0.endpoint == endpoint && $0.from <= t && t < $0.to && $0.mode == .gone }) {
            goneAnswered.insert("\(endpoint)@\(i.from)")
        }
    }

    func count(where match: (ReceiverMode) -> Bool) -> Int { incidents.filter { match($0.mode) }.count }
}
