import Foundation
import Testing
@testable import JitdCore

/// The producer-consumer handoff the inbox reads CSV rosters through.
@Suite struct HandoffTests {
    struct Full: Error {}

    @Test func everyItemArrivesInOrderAndTheProducersResultIsReturned() throws {
        var got: [Int] = []
        var produced = 0 // the producer's own state, read after `run`
        let result = try Handoff.run(depth: 3, produce: { send in
            for i in 0..<10_000 { guard send(i) else { return "stopped" }; produced += 1 }
            return "done"
        }, consume: { got.append($0) })
        #expect(result == "done")
        #expect(got == Array(0..<10_000))
        #expect(produced == 10_000)
    }

    @Test func aConsumerThatThrowsStopsTheProducer() throws {
        var sentAfterStop = 0, stoppedAt = -1
        #expect(throws: Full.self) {
            try Handoff.run(depth: 2, produce: { send in
                for i in 0..<1_000_000 where !send(i) {
                    stoppedAt = i
                    if send(i + 1) { sentAfterStop += 1 }
                    return
                }
            }, consume: { i in if i == 100 { throw Full() } })
        }
        #expect(stoppedAt > 100 && stoppedAt < 1000, "the producer ran at most a few items ahead: \(stoppedAt)")
        #expect(sentAfterStop == 0)
    }

    @Test func aProducerThatSendsNothingEndsTheConsumption() throws {
        var consumed = 0
        let n = try Handoff.run(produce: { (_: (Int) -> Bool) in 7 }, consume: { _ in consumed += 1 })
        #expect(n == 7 && consumed == 0)
    }
}
