import Foundation
import Testing
@testable import JitdSystemd

struct LivenessTests {
    let t0 = ContinuousClock.now

    @Test func everyLoopStartsAlive() {
        let l = Liveness(loops: ["planner", "inbox"], now: t0)
        #expect(l.names == ["inbox", "planner"])
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(5)).isEmpty)
    }

    @Test func aLoopThatStopsBeatingFallsSilent() {
        let l = Liveness(loops: ["planner", "inbox"], now: t0)
        l.beat("inbox", now: t0 + .seconds(8))
        let silent = l.silent(longerThan: .seconds(10), now: t0 + .seconds(12))
        #expect(silent.map(\.loop) == ["planner"])
        #expect(silent.first?.silence == .seconds(12))
        l.beat("planner", now: t0 + .seconds(12))
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(13)).isEmpty)
    }

    @Test func declaredWorkMayKeepALoopAwayForItsBudget() {
        let l = Liveness(loops: ["inbox"], now: t0)
        l.busy("inbox", for: .seconds(60), now: t0)
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(59)).isEmpty)
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(61)).map(\.loop) == ["inbox"])
        l.beat("inbox", now: t0 + .seconds(62))
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(80)).map(\.loop) == ["inbox"], "a beat ends the budget")
    }

    @Test func beatAllIsTheBaselineWhenTheLoopsStart() {
        let l = Liveness(loops: ["planner", "inbox"], now: t0)
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(200)).count == 2, "start-up took 200 s")
        l.beatAll(now: t0 + .seconds(200))
        #expect(l.silent(longerThan: .seconds(10), now: t0 + .seconds(201)).isEmpty)
    }
}
