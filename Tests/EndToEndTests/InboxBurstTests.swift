import Foundation
import JitdCore
import Testing

/// 1,000 files dropped in a burst into the inbox of the real daemon — good rosters (CSV and
/// JSON), bad ones, copies of good ones under other names; written whole, written slowly in
/// pieces under their final name, or renamed in from a hidden or temporary name — and then:
/// every good file applied exactly once, every bad one in `rejected/` with its report, every
/// duplicate in `processed/` without changing anything, nothing lost or left behind. Once with
/// the daemon running throughout, once with it killed (SIGKILL) in the middle of the burst and
/// started again.
@Suite(.serialized) struct InboxBurstTests {
    enum Kind: String { case good, bad, duplicate }
    /// `slow`: under the final name in three pieces, the file held open, 250 ms between pieces;
    /// `stalled`: the same with 2.5 s between them, longer than the inbox's settling, so only
    /// knowing that the writer still holds the file open keeps it from being read half-way.
    enum Delivery: CaseIterable { case whole, hidden, temporary, slow, stalled }

    struct Drop: Sendable {
        var name: String
        var data: Data
        var kind: Kind
        var delivery: Delivery
        /// The unit only this file's content names (duplicates share their original's).
        var unit: String
    }

    /// The burst: distinct content per good file (its own unit and staff), so each can be traced.
    /// `stalls`: whether some slow writers stall for longer than the settling (not across a
    /// restart: a writer that stalls while jitd is down cannot be told from a finished one).
    static func burst(_ count: Int, seed: UInt64, stalls: Bool) -> [Drop] {
        var rng = SplitMix64(seed: seed)
        var drops: [Drop] = []
        for i in 0..<count {
            let delivery: Delivery = switch rng.next() % 40 {
            case 0..<20: .whole
            case 20..<28: .hidden
            case 28..<32: .temporary
            case 32: stalls ? .stalled : .slow
            default: .slow
            }
            let roll = rng.next() % 10
            if roll == 0, let original = drops.filter({ $0.kind == .good }).randomElement(using: &rng) {
                drops.append(Drop(name: "copy-\(i)-of-\(original.name)", data: original.data, kind: .duplicate, delivery: delivery, unit: original.unit))
            } else if roll == 1 {
                drops.append(Drop(name: "bad-\(i).csv", data: badRoster(i), kind: .bad, delivery: delivery, unit: "X\(i)"))
            } else if roll == 2 {
                drops.append(Drop(name: "good-\(i).json", data: jsonRoster(i), kind: .good, delivery: delivery, unit: "J\(i)"))
            } else {
                drops.append(Drop(name: "good-\(i).csv", data: csvRoster(i), kind: .good, delivery: delivery, unit: "U\(i)"))
            }
        }
        return drops
    }

    static func csvRoster(_ i: Int) -> Data {
        Data("""
            staff_id,role,unit,start,end
            u\(i)-a,RN,U\(i),2026-12-01T07:00Z,2026-12-01T19:00Z
            u\(i)-b,RN,U\(i),2026-12-01T19:00Z,2026-12-02T07:00Z

            """.utf8)
    }

    static func jsonRoster(_ i: Int) -> Data {
        Data("""
            {"shifts": [{"staff_id": "j\(i)-a", "role": "MD", "unit": "J\(i)", "start": "2026-12-01T07:00Z", "end": "2026-12-01T19:00Z"},
                        {"staff_id": "j\(i)-b", "role": "MD", "unit": "J\(i)", "start": "2026-12-01T19:00Z", "end": "2026-12-02T07:00Z"}]}

            """.utf8)
    }

    /// A roster with one good row and one whose end comes before its start.
    static func badRoster(_ i: Int) -> Data {
        Data("""
            staff_id,role,unit,start,end
            x\(i)-a,RN,X\(i),2026-12-01T07:00Z,2026-12-01T19:00Z
            x\(i)-b,RN,X\(i),2026-12-01T19:00Z,2026-12-01T07:00Z

            """.utf8)
    }

    // MARK: - Tests

    @Test(.timeLimit(.minutes(3))) func burstIsAppliedExactlyOnce() async throws {
        let h = try Self.harness()
        let daemon = try Self.startDaemon(h)
        defer { if daemon.isRunning { daemon.terminate() } }
        try await Self.waitReady(h, daemon)
        let drops = Self.burst(1000, seed: 11, stalls: true)
        try await Self.deliver(h, drops)
        try await Self.waitSettled(h, drops)
        try Self.check(h, drops, daemon)
        daemon.terminate()
        #expect(try await Harness.waitExit(daemon, seconds: 30) == 0)
    }

    @Test(.timeLimit(.minutes(3))) func burstSurvivesSIGKILLInTheMiddle() async throws {
        let h = try Self.harness()
        let first = try Self.startDaemon(h)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        try await Self.waitReady(h, first)
        let drops = Self.burst(1000, seed: 23, stalls: false)
        // A third arrives while it runs; it is killed while it applies files and the second
        // third is being written, with 16 slow writers just started, and started again at once,
        // so that its start-up scan finds files still being written; the rest arrives after.
        let late = Array(drops[333..<666].filter { $0.delivery == .slow }.prefix(16))
        let lateNames = Set(late.map(\.name))
        try await Self.deliver(h, drops[0..<333])
        async let second: Void = Self.deliver(h, drops[333..<666].filter { !lateNames.contains($0.name) })
        _ = try await h.waitFor(seconds: 60) { Self.listing(h, "processed").count + Self.listing(h, "rejected").count >= 150 ? true : nil }
        async let inFlight: Void = Self.deliver(h, late)
        try await Task.sleep(for: .milliseconds(100))
        kill(first.processIdentifier, SIGKILL)
        _ = try await Harness.waitExit(first, seconds: 10)
        let restarted = try Self.startDaemon(h, log: "jitd-2.log")
        defer { if restarted.isRunning { restarted.terminate() } }
        try await second
        try await inFlight
        try await Self.deliver(h, drops[666...])
        try await Self.waitReady(h, restarted, log: "jitd-2.log")
        try await Self.waitSettled(h, drops)
        try Self.check(h, drops, restarted)
        restarted.terminate()
        #expect(try await Harness.waitExit(restarted, seconds: 30) == 0)
    }

    // MARK: - Delivering

    /// Writes the files with up to 16 writers at once, each by its delivery.
    static func deliver(_ h: Harness, _ drops: some Collection<Drop>) async throws {
        let inbox = h.dir + "/inbox/"
        try await withThrowingTaskGroup(of: Void.self) { group in
            var running = 0
            for d in drops {
                if running == 16 { try await group.next(); running -= 1 }
                group.addTask { try await write(d, inbox) }
                running += 1
            }
            try await group.waitForAll()
        }
    }

    static func write(_ d: Drop, _ inbox: String) async throws {
        switch d.delivery {
        case .whole:
            try d.data.write(to: URL(fileURLWithPath: inbox + d.name))
        case .hidden, .temporary:
            let temp = d.delivery == .hidden ? inbox + "." + d.name : inbox + d.name + ".tmp"
            try d.data.write(to: URL(fileURLWithPath: temp))
            guard rename(temp, inbox + d.name) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        case .slow, .stalled:
            try await onOwnThread { try writeInPieces(d, inbox + d.name) }
        }
    }

    /// Under its final name, in three pieces with pauses, the file held open throughout. Blocking,
    /// so that it runs on a thread of its own: a pause must be the pause asked for, not one
    /// stretched by other tests keeping the cooperative pool busy.
    static func writeInPieces(_ d: Drop, _ path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw POSIXError(.init(rawValue: errno)!) }
        defer { close(fd) }
        let bytes = [UInt8](d.data)
        let cuts = [0, bytes.count / 3, 2 * bytes.count / 3, bytes.count]
        for k in 0..<3 {
            let piece = Array(bytes[cuts[k]..<cuts[k + 1]])
            guard Foundation.write(fd, piece, piece.count) == piece.count else { throw POSIXError(.EIO) }
            if k < 2 { usleep(d.delivery == .stalled ? 2_500_000 : 250_000) }
        }
    }

    static func onOwnThread(_ body: @escaping @Sendable () throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            Thread { c.resume(with: Result { try body() }) }.start()
        }
    }

    // MARK: - Daemon

    static func harness() throws -> Harness {
        let h = try Harness()
        try h.writeConfig()
        return h
    }

    static func startDaemon(_ h: Harness, log: String = "jitd.log") throws -> Process {
        try h.startDaemon(log: log)
    }

    static func waitReady(_ h: Harness, _ daemon: Process, log: String = "jitd.log") async throws {
        _ = try await h.waitFor(seconds: 90) { () -> Bool? in
            #expect(daemon.isRunning, "jitd stopped: \(h.read(log))")
            return h.read(log).contains("jitd ready") || !daemon.isRunning ? true : nil
        }
    }

    /// Waits until every dropped file has left the inbox (and every report is written).
    static func waitSettled(_ h: Harness, _ drops: [Drop]) async throws {
        _ = try await h.waitFor(seconds: 120) { () -> Bool? in
            let left = (try? FileManager.default.contentsOfDirectory(atPath: h.dir + "/inbox")) ?? []
            let done = Set(listing(h, "processed")).union(listing(h, "rejected"))
            return left.allSatisfy({ $0 == "processed" || $0 == "rejected" }) && drops.allSatisfy({ done.contains($0.name) }) ? true : nil
        }
    }

    static func listing(_ h: Harness, _ sub: String) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: h.dir + "/inbox/" + sub)) ?? []
    }

    // MARK: - Checking

    static func check(_ h: Harness, _ drops: [Drop], _ daemon: Process) throws {
        #expect(daemon.isRunning)
        let processed = Set(listing(h, "processed")), rejected = Set(listing(h, "rejected"))
        let left = try FileManager.default.contentsOfDirectory(atPath: h.dir + "/inbox").sorted()
        #expect(left == ["processed", "rejected"], "nothing may be left in the inbox, hidden or not")
        for d in drops {
            switch d.kind {
            case .good, .duplicate:
                #expect(processed.contains(d.name) && !rejected.contains(d.name), "\(d.kind) \(d.name) must be in processed/ only")
                #expect(FileManager.default.contents(atPath: h.dir + "/inbox/processed/" + d.name) == d.data, "\(d.name) moved unchanged")
            case .bad:
                #expect(rejected.contains(d.name) && !processed.contains(d.name), "\(d.name) must be in rejected/ only")
                let report = h.read("inbox/rejected/\(d.name).errors.txt")
                #expect(report.hasPrefix("\(d.name):3: error: end 2026-12-01T07:00:00Z is not after start"), "\(d.name): \(report)")
            }
        }
        // Nothing else arrived in processed/ or rejected/ (no second copy under a stamped name).
        let names = Set(drops.map(\.name))
        #expect(processed.subtracting(names).isEmpty, "unexpected in processed/: \(processed.subtracting(names).sorted())")
        #expect(rejected.filter { !$0.hasSuffix(".errors.txt") }.allSatisfy(names.contains))
        try checkStore(h, drops)
    }

    /// Each good content applied exactly once: its unit holds its two shifts from one file, one
    /// accepted history row per content; no bad file's unit has a shift.
    static func checkStore(_ h: Harness, _ drops: [Drop]) throws {
        let perUnit = try query(h, "SELECT s.unit, count(*), count(DISTINCT d.file_id) FROM shift s JOIN roster_day d ON d.id = s.day_id GROUP BY s.unit")
        var shifts: [String: (Int, Int)] = [:]
        for row in perUnit { shifts[row[0]] = (Int(row[1])!, Int(row[2])!) }
        let good = drops.filter { $0.kind == .good }
        #expect(Set(shifts.keys) == Set(good.map(\.unit)), "exactly the good files' units hold shifts")
        for d in good {
            #expect(shifts[d.unit].map { $0 == (2, 1) } == true, "\(d.name): unit \(d.unit) holds \(String(describing: shifts[d.unit]))")
        }
        let accepted = try query(h, "SELECT count(*), count(DISTINCT sha256) FROM inbox_file WHERE outcome = 'accepted' AND kind = 'roster'")
        #expect(accepted.first == [String(good.count), String(good.count)], "one accepted row per good content: \(accepted)")
        let bad = drops.filter { $0.kind == .bad }.count
        let rejectedRows = try query(h, "SELECT count(DISTINCT name) FROM inbox_file WHERE outcome = 'rejected'")
        #expect(rejectedRows.first == [String(bad)])
    }

    static func query(_ h: Harness, _ sql: String) throws -> [[String]] {
        let r = try Harness.run(["/usr/bin/env", "sqlite3", "-separator", "|", h.dir + "/state/jitd.sqlite", sql])
        #expect(r.status == 0, "sqlite3: \(r.err)")
        return r.out.split(separator: "\n").map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }
    }
}
