import Foundation
import Testing
import JitdCore
@testable import JitdIngest

/// Random RRULE calendars expanded by jitd and by python's `recurring_ical_events` (on top of
/// `icalendar` and `dateutil`), which share none of jitd's code; both must give the same instances.
@Suite("iCalendar RRULE against python recurring_ical_events")
struct ICalendarDifferentialTests {
    static let floatingZone = "America/Chicago"
    static let windows = [
        Interval(start: ICalFixture.utc(2026, 2, 25), end: ICalFixture.utc(2026, 4, 15)),
        Interval(start: ICalFixture.utc(2026, 10, 10), end: ICalFixture.utc(2026, 11, 20)),
    ]

    @Test(.enabled(if: PythonICal.isAvailable, "python3 with icalendar and recurring_ical_events is not installed"))
    func randomRulesExpandLikePython() throws {
        // JITD_ICAL_DIFF_SEED explores other calendars; the default keeps every run identical.
        let seed = ProcessInfo.processInfo.environment["JITD_ICAL_DIFF_SEED"].flatMap(UInt64.init) ?? 20_260_105
        var generator = SeededGenerator(seed: seed)
        let events = (0..<300).map { RandomEvent.make(index: $0, using: &generator) }
        let text = ICalFixture.calendar(RandomEvent.customEastern + "\n" + events.map(\.text).joined(separator: "\n"))
        if let dump = ProcessInfo.processInfo.environment["JITD_ICAL_DIFF_DUMP"] {
            try text.write(toFile: dump, atomically: true, encoding: .utf8)
        }
        let python = try PythonICal.expand(calendar: text, windows: Self.windows, floatingZone: Self.floatingZone)
        #expect(python.failed.isEmpty, "python could not expand: \(python.failed.sorted { $0.key < $1.key }.prefix(5))")
        var compared = 0, instances = 0
        for (w, window) in Self.windows.enumerated() {
            let context = ICalFixture.context(window: window, units: ["u": Zone(Self.floatingZone)!])
            let (entries, diagnostics) = ICalFixture.parse(text, context)
            #expect(diagnostics.isEmpty, "\(diagnostics.prefix(3))")
            let ours = Dictionary(grouping: entries, by: \.shift.staffID).mapValues { Set($0.map(\.shift.interval)) }
            for event in events where python.failed[event.uid] == nil {
                let theirs = python.instances[w][event.uid] ?? []
                let mine = ours[event.uid] ?? []
                #expect(mine == theirs, "\(event.text)\nwindow \(w): only jitd \(mine.subtracting(theirs).sorted().prefix(4).map(\.start.rfc3339)), only python \(theirs.subtracting(mine).sorted().prefix(4).map(\.start.rfc3339))")
                compared += 1
                instances += mine.count
            }
        }
        #expect(compared >= 580)
        #expect(instances > 1_000, "the random rules should produce a fair number of instances")
    }
}

/// A deterministic stream, so that every run generates the same calendars.
typealias SeededGenerator = SplitMix64

/// One random recurring VEVENT.
///
/// Start hours stay within 05:00–22:59 and shifts last at most three hours, so no instance starts
/// or ends in a DST gap: there jitd reports an error by design while python moves the time.
struct RandomEvent {
    var uid: String
    var text: String

    static let customEastern = """
        BEGIN:VTIMEZONE
        TZID:Custom Eastern
        BEGIN:STANDARD
        DTSTART:20071104T020000
        RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
        TZOFFSETFROM:-0400
        TZOFFSETTO:-0500
        END:STANDARD
        BEGIN:DAYLIGHT
        DTSTART:20070311T020000
        RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
        TZOFFSETFROM:-0500
        TZOFFSETTO:-0400
        END:DAYLIGHT
        END:VTIMEZONE
        """

    static func make<G: RandomNumberGenerator>(index: Int, using g: inout G) -> RandomEvent {
        let uid = "r\(index)"
        let zone = ["America/New_York", "Europe/Berlin", "Australia/Sydney", "Custom Eastern", "UTC", "floating"].randomElement(using: &g)!
        let day = LocalDateTime(year: 2025, month: 9, day: 1).naiveSeconds + Int64.random(in: 0..<455, using: &g) * 86_400
        let minute = Bool.random(using: &g) ? [0, 15, 30, 45].randomElement(using: &g)! : Int.random(in: 0...59, using: &g)
        var start = LocalDateTime(naiveSeconds: day + Int64(Int.random(in: 5...22, using: &g) * 3600 + minute * 60))
        let rule = pythonFriendlyRule(start: start, floating: zone == "floating", using: &g)
        if let parsed = try? RecurrenceRule.parse(rule), parsed.frequency == .weekly, !parsed.bySetPos.isEmpty {
            // dateutil's first WEEKLY period runs from DTSTART, not from WKST, so BYSETPOS counts a shorter
            // first week there; RFC 5545 (and jitd) count the whole week. Starting on WKST avoids the difference.
            let back = (CivilDate.isoWeekday(days: start.naiveSeconds / 86_400) - parsed.weekStart + 7) % 7
            start = LocalDateTime(naiveSeconds: start.naiveSeconds - Int64(back) * 86_400)
        }
        let end = LocalDateTime(naiveSeconds: start.naiveSeconds + Int64(Int.random(in: 15...180, using: &g) * 60))
        let format = { (t: LocalDateTime) -> String in
            let stamp = String(format: "%04d%02d%02dT%02d%02d%02d", t.year, t.month, t.day, t.hour, t.minute, t.second)
            switch zone {
            case "UTC": return ":" + stamp + "Z"
            case "floating": return ":" + stamp
            default: return ";TZID=\(zone):" + stamp
            }
        }
        var lines = ["BEGIN:VEVENT", "UID:\(uid)", "X-JITD-STAFF-ID:\(uid)", "X-JITD-UNIT:u", "X-JITD-ROLE:rn",
                     "DTSTART" + format(start), "DTEND" + format(end), "RRULE:" + rule]
        // recurring_ical_events matches EXDATEs by UTC and by local wall time alike, so a zoned EXDATE also drops
        // an instance whose UTC time equals the EXDATE's wall time; only test EXDATE where that cannot happen.
        let parsed = try? RecurrenceRule.parse(rule)
        let oneTimeADay = parsed.map { $0.frequency >= .daily && $0.byHour.isEmpty && $0.byMinute.isEmpty && $0.bySecond.isEmpty } ?? false
        if zone == "UTC" || zone == "floating" || oneTimeADay, Int.random(in: 0..<100, using: &g) < 20 {
            lines.append("EXDATE" + format(LocalDateTime(naiveSeconds: start.naiveSeconds + Int64.random(in: 0...60, using: &g) * 86_400)))
        }
        if Int.random(in: 0..<100, using: &g) < 15 {
            let extra = day + Int64.random(in: 0...400, using: &g) * 86_400 + Int64(Int.random(in: 5...22, using: &g) * 3600)
            lines.append("RDATE" + format(LocalDateTime(naiveSeconds: extra)))
        }
        lines.append("END:VEVENT")
        return RandomEvent(uid: uid, text: lines.joined(separator: "\n"))
    }

    /// A random rule that python can expand quickly.
    ///
    /// dateutil stops only at an instance past the window (or past UNTIL) or when COUNT runs out, and
    /// otherwise searches up to year 9999; a rule that runs dry (BYMONTH=2;BYMONTHDAY=30, or a
    /// BYSETPOS beyond its set) would take python minutes, so such rules are drawn again.
    static func pythonFriendlyRule<G: RandomNumberGenerator>(start: LocalDateTime, floating: Bool, using g: inout G) -> String {
        let last = ICalendarDifferentialTests.windows.map(\.end.seconds).max()!
        while true {
            let text = randomRule(start: start, floating: floating, using: &g)
            guard var rule = try? RecurrenceRule.parse(text) else { continue }
            rule.until = nil
            var budget = RecurrenceExpander.defaultBudget
            let starts = (try? RecurrenceExpander(rule: rule, start: start)
                .occurrences(upTo: last + 400 * 86_400, from: nil, beyondUntil: { _ in false }, budget: &budget)) ?? []
            if let count = rule.count, starts.count >= count { return text }
            if starts.contains(where: { $0 > last + 2 * 86_400 }) { return text }
        }
    }

    static func randomRule<G: RandomNumberGenerator>(start: LocalDateTime, floating: Bool, using g: inout G) -> String {
        func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &g) < percent }
        func some(_ range: ClosedRange<Int>, _ count: ClosedRange<Int>, signed: Bool = false) -> String {
            let n = Int.random(in: count, using: &g)
            let values = Set((0..<n).map { _ in Int.random(in: range, using: &g) * (signed && Bool.random(using: &g) ? -1 : 1) })
            return values.sorted().map(String.init).joined(separator: ",")
        }
        let days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
        let freq = ["YEARLY", "YEARLY", "MONTHLY", "MONTHLY", "MONTHLY", "WEEKLY", "WEEKLY", "WEEKLY", "DAILY", "DAILY", "DAILY",
                    "HOURLY", "HOURLY", "MINUTELY", "SECONDLY"].randomElement(using: &g)!
        var parts = ["FREQ=\(freq)"]
        switch freq {
        // Sub-daily intervals are prime to 60 and 24: dateutil rejects a rule whose BYHOUR/BYMINUTE/BYSECOND
        // values the interval can never reach, where RFC 5545 (and jitd) just yield DTSTART.
        case "HOURLY": parts.append("INTERVAL=\([1, 5, 7, 11, 13, 17, 19, 23, 25, 29].randomElement(using: &g)!)")
        case "MINUTELY": parts.append("INTERVAL=\([1, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 49, 53, 59, 61, 67, 71, 73, 77, 79, 83, 89, 91, 97, 101, 103, 107, 109, 113, 119, 121, 127, 131, 133, 137, 139, 143, 149, 151, 157, 161, 163, 167, 169, 173, 179, 181, 187, 191, 193, 197, 199].randomElement(using: &g)!)")
        case "SECONDLY": parts.append("INTERVAL=\(Int.random(in: 0...110, using: &g) * 30 + [1, 7, 11, 13, 17, 19, 23, 29].randomElement(using: &g)!)")
        default: if chance(50) { parts.append("INTERVAL=\(Int.random(in: 2...4, using: &g))") }
        }
        // dateutil walks a secondly rule second by second through days it filters out, so keep its days dense.
        let dense = freq == "SECONDLY"
        if !dense, chance(25) { parts.append("BYMONTH=\(some(1...12, 1...4))") }
        var byWeekNo = false
        if freq == "YEARLY", chance(15) { parts.append("BYWEEKNO=\(some(1...53, 1...3, signed: true))"); byWeekNo = true }
        // BYYEARDAY also limits sub-daily rules, but dateutil walks a minutely or secondly one too slowly to test.
        if freq == "YEARLY" || freq == "HOURLY", chance(15) { parts.append("BYYEARDAY=\(some(1...366, 1...3, signed: true))") }
        if freq != "WEEKLY", !dense, chance(25) { parts.append("BYMONTHDAY=\(some(1...31, 1...3, signed: true))") }
        if chance(40) {
            if (freq == "MONTHLY" || freq == "YEARLY") && !byWeekNo && chance(50) {
                let n = Int.random(in: 1...2, using: &g)
                let ordinal = { (d: String) -> String in "\(Int.random(in: 1...5, using: &g) * (Bool.random(using: &g) ? -1 : 1))\(d)" }
                parts.append("BYDAY=" + Set((0..<n).map { _ in days.randomElement(using: &g)! }).sorted().map(ordinal).joined(separator: ","))
            } else {
                parts.append("BYDAY=" + Set((0..<Int.random(in: 1...4, using: &g)).map { _ in days.randomElement(using: &g)! }).sorted().joined(separator: ","))
            }
        }
        switch freq {
        case "HOURLY": parts.append("BYHOUR=\(some(5...22, 3...10))"); if chance(30) { parts.append("BYMINUTE=\(some(0...59, 1...3))") }
        case "MINUTELY": parts.append("BYHOUR=\(some(5...22, 1...2))"); if chance(50) { parts.append("BYMINUTE=\(some(0...59, 1...5))") }
        case "SECONDLY": parts.append("BYHOUR=\(some(5...22, 1...1))"); parts.append("BYMINUTE=\(some(0...59, 1...3))")
            if chance(50) { parts.append("BYSECOND=\(some(0...59, 1...4))") }
        default:
            if chance(25) { parts.append("BYHOUR=\(some(5...22, 1...3))") }
            if chance(20) { parts.append("BYMINUTE=\(some(0...59, 1...3))") }
            if chance(10) { parts.append("BYSECOND=\(some(0...59, 1...2))") }
        }
        if parts.count > (parts.contains { $0.hasPrefix("INTERVAL") } ? 2 : 1), chance(20) {
            parts.append("BYSETPOS=\(some(1...4, 1...2, signed: true))")
        }
        if chance(20) { parts.append("WKST=\(days.randomElement(using: &g)!)") }
        let end = Int.random(in: 0..<100, using: &g)
        if end < 40 {
            parts.append("COUNT=\(Int.random(in: 1...40, using: &g))")
        } else if end < 65 {
            let u = LocalDateTime(naiveSeconds: start.naiveSeconds + Int64.random(in: 10...500, using: &g) * 86_400 + Int64.random(in: 0..<86_400, using: &g))
            parts.append(String(format: "UNTIL=%04d%02d%02dT%02d%02d%02d", u.year, u.month, u.day, u.hour, u.minute, u.second) + (floating ? "" : "Z"))
        }
        return parts.joined(separator: ";")
    }
}

/// Runs the python reference expansion.
enum PythonICal {
    static let isAvailable: Bool = (try? run(["-c", "import icalendar, recurring_ical_events"]).status) == 0

    /// Instances per window and UID (as UTC intervals), and why python failed on some UIDs.
    static func expand(calendar: String, windows: [Interval], floatingZone: String) throws
        -> (instances: [[String: Set<Interval>]], failed: [String: String]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("jitd-ical-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let script = dir.appendingPathComponent("expand.py"), ics = dir.appendingPathComponent("cal.ics")
        try program.write(to: script, atomically: true, encoding: .utf8)
        try calendar.write(to: ics, atomically: true, encoding: .utf8)
        let spans = windows.map { "\($0.start.seconds):\($0.end.seconds)" }.joined(separator: ",")
        let result = try run([script.path, ics.path, spans, floatingZone])
        guard result.status == 0 else { throw PythonFailure(message: result.output) }
        var instances = Array(repeating: [String: Set<Interval>](), count: windows.count)
        var failed: [String: String] = [:]
        for line in result.output.split(separator: "\n") {
            let f = line.split(separator: " ").map(String.init)
            if f.first == "FAILED", f.count >= 2 { failed[f[1]] = f.dropFirst(2).joined(separator: " "); continue }
            guard f.count == 4, let w = Int(f[0]), let s = Int64(f[2]), let e = Int64(f[3]) else { continue }
            instances[w][f[1], default: []].insert(Interval(start: Instant(seconds: s), end: Instant(seconds: e)))
        }
        return (instances, failed)
    }

    struct PythonFailure: Error { var message: String }

    /// Runs python3 with `arguments`, `input` (if any) on its standard input, in `directory`; stdout and stderr together.
    static func run(_ arguments: [String], input: String? = nil, in directory: URL? = nil) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        if let input {
            // Through a file rather than a pipe, so that a large input cannot block on a full pipe while we wait.
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("jitd-python-input-\(UUID().uuidString)")
            try input.write(to: url, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: url)
            try? FileManager.default.removeItem(at: url)  // the open handle keeps it readable
        }
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Expands each VEVENT on its own (so one failure names its UID) and prints `WINDOW UID START END` in UTC seconds.
    static let program = #"""
        import sys, datetime, zoneinfo, signal
        import icalendar, recurring_ical_events

        # The parent may start us with signals blocked; a per-event alarm keeps one slow rule from hanging the test.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        def too_slow(*_):
            raise TimeoutError("python took longer than 30 s")
        signal.signal(signal.SIGALRM, too_slow)

        cal = icalendar.Calendar.from_ical(open(sys.argv[1], "rb").read())
        spans = [tuple(int(x) for x in w.split(":")) for w in sys.argv[2].split(",")]
        floating = zoneinfo.ZoneInfo(sys.argv[3])
        timezones = [c for c in cal.walk("VTIMEZONE")]

        def seconds(t):
            if t.tzinfo is None:
                t = t.replace(tzinfo=floating)
            return int(t.timestamp())

        for event in cal.walk("VEVENT"):
            uid = str(event["UID"])
            single = icalendar.Calendar()
            for tz in timezones:
                single.add_component(tz)
            single.add_component(event)
            signal.setitimer(signal.ITIMER_REAL, 30.0)  # generous: other tests share the cores
            try:
                rows = []
                for w, (start, end) in enumerate(spans):
                    # Floating events are compared with the span's wall-clock time, so give it on the floating zone's clock.
                    a = datetime.datetime.fromtimestamp(start, floating)
                    b = datetime.datetime.fromtimestamp(end, floating)
                    for occ in recurring_ical_events.of(single).between(a, b):
                        s, e = seconds(occ["DTSTART"].dt), seconds(occ["DTEND"].dt)
                        if s < end and start < e:
                            rows.append(f"{w} {uid} {s} {e}")
                print("\n".join(rows))
            except Exception as error:
                print("FAILED", uid, type(error).__name__, str(error).replace("\n", " "))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        """#
}
