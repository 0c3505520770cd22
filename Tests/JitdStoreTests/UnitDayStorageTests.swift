import Foundation
import GRDB
import Testing
@testable import JitdCore
@testable import JitdStore

/// Shifts are stored by unit-day and found by time through `roster_day`'s spans: checked against
/// a plain model of the replacement rule (docs/configuration.md), across daylight-saving changes, and through the
/// migration from the table of version 5.
@Suite struct UnitDayStorageTests {
    static let ny = Zone("America/New_York")!, london = Zone("Europe/London")!
    let zones: @Sendable (String) -> Zone = { $0 == "LDN" ? UnitDayStorageTests.london : UnitDayStorageTests.ny }
    let t0 = Instant(rfc3339: "2026-10-20T00:00:00Z")!

    /// The replacement rule on a list: a file replaces, per unit it names, every entry starting on a local
    /// day the file has an entry of that unit on.
    func replaced(_ kept: [Shift], by file: [Shift]) -> [Shift] {
        func day(_ s: Shift) -> String { Store.localDay(s.interval.start, zones(s.unit)) + " " + s.unit }
        let taken = Set(file.map(day))
        return kept.filter { !taken.contains(day($0)) } + file
    }

    func key(_ s: Shift) -> String { "\(s.staffID) \(s.unit) \(s.interval.start.seconds) \(s.interval.end.seconds) \(s.kind)" }

    /// Random files over five weeks around both 2026 changes of New York and London (entries of
    /// 30 minutes to 26 hours, busy blocks, rows in any order), applied one after another; after
    /// each, random windows hold exactly the model's entries.
    @Test func randomRostersMatchTheReplacementRuleAndWindows() throws {
        let store = try temporaryStore()
        var rng = SplitMix64(seed: 20261125)
        var model: [Shift] = []
        let base = Instant(rfc3339: "2026-10-20T00:00:00Z")!.seconds
        for f in 0..<25 {
            let file = (0..<Int(rng.next() % 200 + 1)).map { i -> Shift in
                let start = base + Int64(rng.next() % (35 * 96)) * 900 // on a quarter hour, 5 weeks
                let length = Int64(rng.next() % 104 + 2) * 900
                return Shift(staffID: "s\(f)-\(i)", role: "RN", unit: ["MICU", "5W", "LDN"][Int(rng.next() % 3)],
                             kind: rng.next() % 5 == 0 ? .busy : .shift,
                             interval: Interval(start: Instant(seconds: start), end: Instant(seconds: start + length)))
            }
            let outcome = try store.applyRoster(file: "f\(f).csv", sha256: "sha\(f)", entries: file, zones: zones, now: t0) { _ in [] }
            let before = model.count
            model = replaced(model, by: file)
            guard case .accepted(_, _, let gone, _) = outcome else { Issue.record("f\(f) not accepted"); return }
            #expect(gone == before + file.count - model.count, "file \(f): replaced count")
            for _ in 0..<20 {
                let from = base - 86_400 + Int64(rng.next() % (38 * 24)) * 3600
                let window = Interval(start: Instant(seconds: from), end: Instant(seconds: from + Int64(rng.next() % 72 + 1) * 3600))
                let expected = model.filter { $0.interval.start < window.end && $0.interval.end > window.start }.map(key).sorted()
                #expect(try store.shifts(overlapping: window).map(key).sorted() == expected, "file \(f), window \(window)")
            }
        }
    }

    /// The writer places consecutive rows of a unit-day without a local date each, by the span of
    /// instants that share one: a whole day when the offset holds all day, else one second.
    @Test func sameDateSpansStopAtOffsetChanges() {
        let ny = Self.ny
        let plain = ny.sameDateSpan(Instant(rfc3339: "2026-11-24T15:00:00Z")!)
        #expect(plain == Interval(start: Instant(rfc3339: "2026-11-24T05:00:00Z")!, end: Instant(rfc3339: "2026-11-25T05:00:00Z")!))
        let autumn = Instant(rfc3339: "2026-11-01T12:00:00Z")!, spring = Instant(rfc3339: "2026-03-08T12:00:00Z")!
        #expect(ny.sameDateSpan(autumn) == Interval(start: autumn, end: autumn.adding(seconds: 1)))
        #expect(ny.sameDateSpan(spring) == Interval(start: spring, end: spring.adding(seconds: 1)))
        let tokyo = Zone("Asia/Tokyo")!.sameDateSpan(Instant(rfc3339: "2026-11-24T20:00:00Z")!)
        #expect(tokyo.start == Instant(rfc3339: "2026-11-24T15:00:00Z")!)
    }

    /// A database of version 5 (one row a shift, indexed three ways) keeps its shifts, their
    /// unit-days and the replacement rule through the migration.
    @Test func version5ShiftsSurviveTheMigration() throws {
        let dir = NSTemporaryDirectory() + "jitd-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/jitd.sqlite"
        do {
            let pool = try DatabasePool(path: path)
            try Store.migrator.migrate(pool, upTo: "v5: covering index for assignment pages by unit and state")
            try pool.write { db in
                try db.execute(sql: "INSERT INTO inbox_file (name, sha256, kind, outcome, received_at, summary) VALUES ('a.csv', 'aa', 'roster', 'accepted', 0, '{}')")
                for (staff, start, day) in [("x", "2026-11-24T12:00:00Z", "2026-11-24"), ("y", "2026-11-24T20:00:00Z", "2026-11-24"),
                                            ("z", "2026-11-25T12:00:00Z", "2026-11-25")] {
                    let s = Instant(rfc3339: start)!.seconds
                    try db.execute(sql: """
                        INSERT INTO shift (staff_id, role, unit, kind, start, "end", local_day, name, file_id) VALUES (?, 'RN', 'MICU', 'shift', ?, ?, ?, NULL, 1)
                        """, arguments: [staff, s, s + 3600, day])
                }
            }
        }
        let store = try Store(path: path)
        let window = Interval(start: Instant(rfc3339: "2026-11-24T00:00:00Z")!, end: Instant(rfc3339: "2026-11-26T00:00:00Z")!)
        #expect(try store.shifts(overlapping: window).map(\.staffID).sorted() == ["x", "y", "z"])
        let days = try store.pool.read { try Row.fetchAll($0, sql: "SELECT local_day, file_id FROM roster_day ORDER BY local_day") }
        #expect(days.map { $0[0] as String } == ["2026-11-24", "2026-11-25"])
        let s = Instant(rfc3339: "2026-11-24T14:00:00Z")!
        let outcome = try store.applyRoster(file: "b.csv", sha256: "bb", entries: [Shift(staffID: "w", role: "RN", unit: "MICU",
                                                                                         interval: Interval(start: s, end: s.adding(seconds: 3600)))],
                                            zones: zones, now: t0) { _ in [] }
        #expect(outcome == .accepted(shifts: 1, busy: 0, replaced: 2, units: ["MICU"]))
        #expect(try store.shifts(overlapping: window).map(\.staffID).sorted() == ["w", "z"])
    }
}
