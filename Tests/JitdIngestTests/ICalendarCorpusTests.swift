import Foundation
import Testing
import JitdCore
@testable import JitdIngest

/// Real calendars, written by calendar programs and collected by other iCalendar projects for
/// their own tests (`TestData/icalendar-corpus/`, sources and licences in its README), read by
/// jitd and by python's `icalendar` + `recurring_ical_events` (`reference.py` there): both must
/// find the same shift instants, or the file is listed in `expected.tsv` with what differs on
/// purpose and why. A file that newly agrees or newly differs fails the test, so the list stays true.
///
/// These calendars are not rosters: the test gives each one a staff member, unit and role with
/// calendar-level `X-JITD-STAFF-ID`, `X-JITD-UNIT` and `X-JITD-ROLE` properties, as a scheduler
/// would (docs/configuration.md, "Roster files"), appended before `END:VCALENDAR` so that event lines keep their
/// numbers. `JITD_ICAL_CORPUS_REPORT=FILE` writes every file's outcome there as TSV.
@Suite("iCalendar corpus against python icalendar + recurring_ical_events")
struct ICalendarCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TestData/icalendar-corpus")
    static let floatingZone = "America/Chicago"

    @Test(.enabled(if: PythonICal.isAvailable, "python3 with icalendar and recurring_ical_events is not installed"))
    func everyCalendarReadsLikeTheReferenceOrDiffersOnPurpose() throws {
        let files = try CorpusFile.all(in: Self.folder)
        let expected = try ExpectedOutcome.read(Self.folder.appendingPathComponent("expected.tsv"))
        let reference = try CorpusReference.read(files, in: Self.folder, floatingZone: Self.floatingZone)
        var outcomes: [String: Outcome] = [:]
        for file in files {
            outcomes[file.path] = Outcome.compare(jitd: file.readByJitd(floatingZone: Self.floatingZone),
                                                  reference: reference[file.path] ?? .failed("no answer from reference.py"))
        }
        if let path = ProcessInfo.processInfo.environment["JITD_ICAL_CORPUS_REPORT"] {
            try Outcome.report(outcomes).write(toFile: path, atomically: true, encoding: .utf8)
        }
        for file in files {
            let got = outcomes[file.path]!, want = expected[file.path]?.kind ?? .agrees
            #expect(got.kind == want, "\(file.path): expected \(want.rawValue), got \(got.kind.rawValue): \(got.detail)")
        }
        for path in expected.keys where outcomes[path] == nil {
            Issue.record("expected.tsv names \(path), which is not in the corpus")
        }
        let kinds = Dictionary(grouping: outcomes.values, by: \.kind).mapValues(\.count)
        let compared = outcomes.values.map(\.instances).reduce(0, +)
        let timed = outcomes.values.filter { $0.kind == .agrees && $0.instances > 0 }.count
        print("iCalendar corpus: \(files.count) calendars; "
            + Outcome.Kind.allCases.map { "\($0.rawValue) \(kinds[$0] ?? 0)" }.joined(separator: ", ")
            + "; \(timed) of those that agree have timed instants, \(compared) instants in all")
        #expect(files.count >= 230)
        #expect(timed >= 85 && compared >= 6_500, "the corpus should compare a fair number of instants")
    }
}

/// One calendar of the corpus, with the window both readers expand it in.
struct CorpusFile {
    /// Relative to the corpus folder, e.g. `icalendar/calendars/x.ics`.
    var path: String
    var text: String
    /// From January 1 of the year of the earliest VEVENT DTSTART to the end of the year after the
    /// latest, so that every event and a good stretch of every rule is compared (2026 for a file without events).
    var window: Interval

    static func all(in folder: URL) throws -> [CorpusFile] {
        let walker = FileManager.default.enumerator(atPath: folder.path)
        var paths: [String] = []
        while let path = walker?.nextObject() as? String {
            if path.hasSuffix(".ics") { paths.append(path) }
        }
        return try paths.sorted().map { path in
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            let text = String(decoding: data, as: UTF8.self)
            return CorpusFile(path: path, text: text, window: window(of: text))
        }
    }

    static func window(of text: String) -> Interval {
        var sink = DiagnosticSink(file: "")
        var years: [Int] = []
        func visit(_ component: ICalComponent) {
            if component.name == "VEVENT", let y = component.first("DTSTART").flatMap({ Int($0.value.icalTrimmed.prefix(4)) }) {
                years.append(y)
            }
            component.components.forEach(visit)
        }
        ICalComponentReader.read(ICalContentLines.parse(text, sink: &sink), sink: &sink).forEach(visit)
        let first = years.min() ?? 2026, last = years.max().map { $0 + 1 } ?? 2026
        return Interval(start: Instant(seconds: LocalDateTime(year: first, month: 1, day: 1).naiveSeconds),
                        end: Instant(seconds: LocalDateTime(year: last + 1, month: 1, day: 1).naiveSeconds))
    }

    /// The calendar with who works its events said once for the whole calendar.
    var asRoster: String {
        let who = "X-JITD-STAFF-ID:corpus\r\nX-JITD-UNIT:u\r\nX-JITD-ROLE:r\r\n"
        // By scalars: a CRLF is one Character, so splitting the String on "\n" would not split such a file at all.
        let lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { String(Substring($0)) }
        return lines.map { $0.uppercased().hasPrefix("END:VCALENDAR") ? who + $0 : $0 }.joined(separator: "\n")
    }

    /// What jitd makes of it: the instants inside the window, or the errors that refuse the file.
    func readByJitd(floatingZone: String) -> JitdReading {
        let zone = Zone(floatingZone)!
        var sink = DiagnosticSink(file: path)
        let context = RosterContext(zones: UnitZones(site: zone, units: ["u": zone]), window: window)
        let entries = ICalendarRosterParser.parse(text: asRoster, file: path, context: context, sink: &sink)
        let errors = sink.items.filter { $0.severity == .error }
        if !errors.isEmpty { return .refused(errors.map(\.description)) }
        return .instants(entries.map(\.shift.interval).filter { $0.overlaps(window) }.sorted())
    }
}

enum JitdReading {
    case instants([Interval])
    case refused([String])
}

/// Instances the reference finds and jitd reads as no shift (docs/configuration.md, "Roster files"), counted for the report.
struct LeftOut {
    var allDay = 0, zeroLength = 0, cancelled = 0
}

enum ReferenceReading {
    /// Instances with a time, and how many all-day, no-time and cancelled instances were left out.
    case instants([Interval], leftOut: LeftOut)
    case failed(String)
}

/// How one file came out, in the words of `expected.tsv`.
struct Outcome {
    enum Kind: String, CaseIterable {
        /// jitd reads it and finds the reference's instants.
        case agrees
        /// jitd reads it and finds other instants than the reference.
        case differs
        /// jitd refuses the file (an error on a line); the reference reads it.
        case refuses
        /// The reference cannot read the file; jitd reads it.
        case referenceFails = "reference-fails"
        /// Neither reads it.
        case bothRefuse = "both-refuse"
    }

    var kind: Kind
    var detail: String
    var instances = 0

    static func compare(jitd: JitdReading, reference: ReferenceReading) -> Outcome {
        switch (jitd, reference) {
        case (.refused(let errors), .failed(let why)):
            return Outcome(kind: .bothRefuse, detail: "jitd: \(errors[0]) | reference: \(why)")
        case (.refused(let errors), .instants):
            return Outcome(kind: .refuses, detail: errors.prefix(3).joined(separator: " | "))
        case (.instants(let mine), .failed(let why)):
            return Outcome(kind: .referenceFails, detail: "jitd: \(mine.count) instants | reference: \(why)")
        case (.instants(let mine), .instants(let theirs, let out)):
            let left = "left out: \(out.allDay) all-day, \(out.zeroLength) no-time, \(out.cancelled) cancelled"
            guard mine == theirs else {
                let onlyMine = Self.minus(mine, theirs), onlyTheirs = Self.minus(theirs, mine)
                return Outcome(kind: .differs, detail: "only jitd: \(Self.show(onlyMine)); only reference: \(Self.show(onlyTheirs)); \(left)")
            }
            return Outcome(kind: .agrees, detail: "\(mine.count) instants; \(left)", instances: mine.count)
        }
    }

    /// `a` without one copy of each interval of `b` (both sorted).
    static func minus(_ a: [Interval], _ b: [Interval]) -> [Interval] {
        var counts = Dictionary(b.map { ($0, 1) }, uniquingKeysWith: +)
        return a.filter { interval in
            guard let n = counts[interval], n > 0 else { return true }
            counts[interval] = n - 1
            return false
        }
    }

    static func show(_ intervals: [Interval]) -> String {
        let shown = intervals.prefix(3).map { "\($0.start.rfc3339)–\($0.end.rfc3339)" }.joined(separator: ", ")
        return intervals.count > 3 ? "\(intervals.count) instants, first \(shown)" : "[\(shown)]"
    }

    static func report(_ outcomes: [String: Outcome]) -> String {
        outcomes.sorted { $0.key < $1.key }.map { "\($0.key)\t\($0.value.kind.rawValue)\t\($0.value.detail)\n" }.joined()
    }
}

/// A line of `expected.tsv`: `PATH<TAB>OUTCOME<TAB>WHY`, for every file that does not simply agree.
struct ExpectedOutcome {
    var kind: Outcome.Kind
    var reason: String

    static func read(_ url: URL) throws -> [String: ExpectedOutcome] {
        var result: [String: ExpectedOutcome] = [:]
        for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") where !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", maxSplits: 2).map(String.init)
            guard fields.count == 3, let kind = Outcome.Kind(rawValue: fields[1]), kind != .agrees, !fields[2].isEmpty else {
                Issue.record("expected.tsv: '\(line)' is not PATH<TAB>OUTCOME<TAB>WHY with an outcome other than agrees")
                continue
            }
            if result[fields[0]] != nil { Issue.record("expected.tsv names \(fields[0]) twice") }
            result[fields[0]] = ExpectedOutcome(kind: kind, reason: fields[2])
        }
        return result
    }
}

/// Runs `reference.py` once over the whole corpus.
enum CorpusReference {
    static func read(_ files: [CorpusFile], in folder: URL, floatingZone: String) throws -> [String: ReferenceReading] {
        let requests = files.map { "\($0.path) \($0.window.start.seconds) \($0.window.end.seconds) \(floatingZone)\n" }.joined()
        let result = try PythonICal.run([folder.appendingPathComponent("reference.py").path], input: requests, in: folder)
        guard result.status == 0 else { throw PythonICal.PythonFailure(message: result.output) }
        var readings: [String: ReferenceReading] = [:]
        for line in result.output.split(separator: "\n") {
            guard let json = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = json["file"] as? String else { continue }
            if let error = json["error"] as? String {
                readings[path] = .failed(error)
            } else {
                let pairs = json["instances"] as? [[Int64]] ?? []
                let intervals = pairs.map { Interval(start: Instant(seconds: $0[0]), end: Instant(seconds: $0[1])) }
                let out = LeftOut(allDay: json["all_day"] as? Int ?? 0, zeroLength: json["zero_length"] as? Int ?? 0,
                                  cancelled: json["cancelled"] as? Int ?? 0)
                readings[path] = .instants(intervals.sorted(), leftOut: out)
            }
        }
        return readings
    }
}
