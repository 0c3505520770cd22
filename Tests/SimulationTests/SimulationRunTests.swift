import Foundation
import JitdAudit
import JitdSimulation
import Testing

/// Simulations through a debug build. A simulated day of the CI's hospital takes minutes of
/// planning even in a release build, so these run only when asked (`JITD_SIM_TESTS=1`); the
/// test suite's simulation runs from a release build of `jitd-sim` (scripts/test,
/// docs/simulation.md).
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["JITD_SIM_TESTS"] == "1",
                             "a simulation in a debug build takes long; scripts/test runs jitd-sim from a release build"))
struct SimulationRunTests {
    @Test func twoDaysOverNewYorksSpringChangeKeepEveryRule() throws {
        let result = try Simulation(SimulationOptions(seed: 2, days: 2)).run()
        let s = result.stats
        print("seed 2, 2 days: \(String(format: "%.1f", s.wallSeconds)) s wall, \(s.replans) plans\n" + result.report.summary(examples: 3))
        #expect(s.staff >= 300)
        #expect(s.units == 8)
        // Every kind of event happened at least once.
        #expect(s.sickCalls > 0 && s.swaps > 0 && s.busyBlocksAdded > 0)
        #expect(s.rosterFilesRefusedOnPurpose > 0)
        #expect(s.completionsFiles > 0 && s.completionsPosted > 0)
        #expect(s.acknowledged > 0 && s.declined > 0 && s.completedByAPI > 0 && s.noShows > 0)
        #expect(s.restarts > 0)
        #expect(s.receiverIncidents["failing", default: 0] > 0 && s.receiverIncidents["hanging", default: 0] > 0
                && s.receiverIncidents["gone", default: 0] > 0)
        #expect(s.surprises.isEmpty, "\(s.surprises)")
        #expect(result.report.notifications > 100)
        #expect(result.report.violations.isEmpty, "\(result.report.summary(examples: 3))")
    }

    @Test func aSeedGivesTheSameHistoryEveryTime() throws {
        func run() throws -> AuditHistory {
            try Simulation(SimulationOptions(seed: 11, days: 1, staffPerUnit: 38)).run().history
        }
        let a = try run(), b = try run()
        #expect(a.deliveries == b.deliveries)
        #expect(a.rosterFiles == b.rosterFiles)
        #expect(a.assignments == b.assignments)
        #expect(a.completions == b.completions)
    }
}
