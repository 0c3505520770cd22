import Foundation
import Testing
@testable import JitdCore
@testable import JitdIngest

/// The streaming JSON roster: the same entries and problems however a file is cut into chunks,
/// and the same as parsing the whole document into a tree and checking each entry of it.
@Suite struct RosterJSONStreamTests {
    let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!),
                                window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 4_000_000_000)))

    /// Entries and problem lines from feeding `bytes` in chunks of the sizes `rng` draws (1 to `max`).
    func stream(_ bytes: [UInt8], chunks max: Int, _ rng: inout SplitMix64) -> ([RosterEntry], [String]) {
        chunkedFeed(RosterJSONStream.self, bytes, file: "r.json", context: context) { Int.random(in: 1...max, using: &rng) }
    }

    /// The whole document parsed into a tree, then each entry of its `"shifts"` checked: what the
    /// stream must agree with. Nil entries when the tree has no `"shifts"` array.
    func reference(_ text: String) -> Result<([RosterEntry], [String])?, LocatedJSON.SyntaxError> {
        let doc: LocatedJSON
        do { doc = try LocatedJSON.parse(text) } catch { return .failure(error) }
        guard case .array(let items, _)? = doc["shifts"] else { return .success(nil) }
        var sink = DiagnosticSink(file: "r.json")
        var memo = LocalTimeMemo()
        var overlaps = ShiftOverlaps()
        var entries: [RosterEntry] = []
        for item in items {
            guard let e = RosterJSONParser.entry(item, context, &memo, &sink) else { continue }
            overlaps.add(e)
            if !sink.hasErrors { entries.append(e) }
        }
        overlaps.report(zones: context.zones, sink: &sink)
        return .success((entries, sink.items.map(\.description)))
    }

    @Test func anyChunkingGivesTheSameEntriesAndProblems() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<400 {
            let doc = Self.mutated(Self.roster(&rng), &rng)
            let whole = stream(doc, chunks: doc.count + 1, &rng)
            for max in [1, 3, 17, 256] {
                let cut = stream(doc, chunks: max, &rng)
                #expect(cut.0 == whole.0 && cut.1 == whole.1, "chunks of at most \(max): \(String(decoding: doc, as: UTF8.self))")
            }
        }
    }

    @Test func theStreamAgreesWithTheWholeDocumentTree() {
        var rng = SplitMix64(seed: 12)
        var compared = 0, syntax = 0
        for _ in 0..<1500 {
            let doc = Self.mutated(Self.roster(&rng), &rng)
            guard let text = String(validating: doc, as: UTF8.self) else { continue }
            let (entries, problems) = stream(doc, chunks: 64, &rng)
            let shape = problems.contains { $0.contains("a JSON roster is an object with a \"shifts\" array") }
            switch reference(text) {
            case .success(let expected?):
                compared += 1
                #expect(entries == expected.0 && problems == expected.1, "\(text)")
            case .success(nil):
                #expect(shape, "\(text)\n\(problems)")
            case .failure where text.allSatisfy({ $0.isWhitespace || $0 == "\u{FEFF}" }):
                let what = text.isEmpty ? "the file is empty" : "the file holds only blank lines"
                #expect(problems.count == 1 && problems[0].contains(what), "\(problems)")
            case .failure(let e):
                syntax += 1
                let line = "r.json:\(e.line):\(e.column): error: JSON syntax: \(e.message)"
                #expect(shape || problems.contains(line), "\(text)\nwanted \(line)\ngot \(problems)")
            }
        }
        #expect(compared > 300 && syntax > 300, "compared \(compared), syntax errors \(syntax)")
    }

    @Test func theCorpusSyntaxErrorIsReportedWhereItIs() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("TestData/bad-rosters/syntax-error.json")
        var rng = SplitMix64(seed: 13)
        let (entries, problems) = stream(Array(try Data(contentsOf: url)), chunks: 5, &rng)
        #expect(entries.count == 1, "the entry before the error was read (the file is refused whole)")
        #expect(problems == ["r.json:3:50: error: JSON syntax: expected ',' or '}'"])
    }

    @Test func bytesThatAreNotUTF8AreReportedWhereTheyAre() {
        var rng = SplitMix64(seed: 14)
        let doc = Array(#"{"shifts": [{"staff_id": "1", "role": "RN", "unit": "MICU","#.utf8) + [0x0A]
            + Array(#"  "name": "Zo"#.utf8) + [0xEB] + Array(#"", "start": "2026-11-24T07:00", "end": "2026-11-24T19:00"}]}"#.utf8)
        for max in [1, 4, 1000] {
            let (entries, problems) = stream(doc, chunks: max, &rng)
            #expect(entries.isEmpty)
            #expect(problems == ["r.json:2:14: error: the file is not UTF-8 text; export it as UTF-8"])
        }
    }

    @Test func anEntryOverTheValueLimitStopsTheRead() {
        var rng = SplitMix64(seed: 15)
        let big = String(repeating: "x", count: RosterJSONStream.maxValueBytes + 10)
        let doc = Array(#"{"shifts": [{"staff_id": "1",\#n "name": "\#(big)"}]}"#.utf8)
        let (_, problems) = stream(doc, chunks: 1 << 16, &rng)
        #expect(problems == [#"r.json:1: error: an entry of "shifts" starting here is longer than 1 MiB; a shift is a small object (staff_id, role, unit, start, end, kind, name)"#])
    }

    @Test func emptyBlankAndShapelessFiles() {
        var rng = SplitMix64(seed: 16)
        let shape = #"a JSON roster is {"shifts": [{"staff_id": …, "role": …, "unit": …, "start": …, "end": …}]}"#
        #expect(stream([], chunks: 1, &rng).1 == ["r.json:1: error: the file is empty; " + shape])
        #expect(stream(Array("\u{FEFF} \n\t".utf8), chunks: 1, &rng).1 == ["r.json:1: error: the file holds only blank lines; " + shape])
        #expect(stream(Array("\n\n[1]".utf8), chunks: 2, &rng).1 == [#"r.json:3: error: a JSON roster is an object with a "shifts" array: "# + shape])
        #expect(stream(Array("{\n\"other\": 1}".utf8), chunks: 2, &rng).1 == [#"r.json:1: error: a JSON roster is an object with a "shifts" array: "# + shape])
        #expect(stream(Array(#"{"shifts": []}"#.utf8), chunks: 2, &rng).1 == [])
        #expect(stream(Array("{\"shifts\": [\n".utf8), chunks: 2, &rng).1 == ["r.json:2:1: error: JSON syntax: unexpected end of file"])
        #expect(stream(Array("{\"shifts\": [] \n x".utf8), chunks: 2, &rng).1 == ["r.json:2:2: error: JSON syntax: expected ',' or '}'"])
    }

    /// Found by the `json-chunks` fuzz target: consumed bytes are dropped from the stream's
    /// buffer, and a byte order mark after them was taken for the file's own.
    @Test func aByteOrderMarkCountsOnlyAtTheFilesStart() {
        var rng = SplitMix64(seed: 17)
        let notARoster = #"error: a JSON roster is an object with a "shifts" array"#
        for (doc, line) in [("\n\u{FEFF}{", 2), ("\n\n\u{FEFF}  \n", 3), ("\u{FEFF}\n \u{FEFF}", 2)] {
            for max in [1, 2, 3, 1000] {
                let problems = stream(Array(doc.utf8), chunks: max, &rng).1
                #expect(problems.count == 1 && problems[0].hasPrefix("r.json:\(line): " + notARoster), "chunks of \(max): \(problems)")
            }
        }
        #expect(stream(Array("\u{FEFF}\n{\"shifts\": []}".utf8), chunks: 1, &rng).1 == [])
    }

    // MARK: Generated rosters

    /// A JSON roster with valid and faulty entries, other members around `"shifts"`, escapes,
    /// non-ASCII text and assorted white space.
    static func roster(_ rng: inout SplitMix64) -> [UInt8] {
        func space() -> String { ["", " ", "\n", "\r\n  ", "\t"].randomElement(using: &rng)! }
        var members: [String] = []
        if Bool.random(using: &rng) { members.append(#""generated"\#(space()):\#(space())"2026-11-24T06:00Z""#) }
        if Bool.random(using: &rng) { members.append(#""version":\#(space())20261124"#) }
        if Bool.random(using: &rng) { members.append(#""meta": {"n": [1, -2.5e3, true, false, null, "a\"b"], "o": {}}"#) }
        let entries = (0..<Int.random(in: 0...8, using: &rng)).map { _ in entry(&rng) + space() }
        members.insert(#""shifts":\#(space())[\#(space())\#(entries.joined(separator: ",\(space())"))]"#,
                       at: Int.random(in: 0...members.count, using: &rng))
        let bom = Int.random(in: 0..<8, using: &rng) == 0 ? "\u{FEFF}" : ""
        return Array((bom + space() + "{" + space() + members.joined(separator: "," + space()) + space() + "}" + space()).utf8)
    }

    static func entry(_ rng: inout SplitMix64) -> String {
        if Int.random(in: 0..<12, using: &rng) == 0 { return ["512.25e1", "[1, 2]", "\"x\"", "null", "true"].randomElement(using: &rng)! }
        let day = Int.random(in: 1...9, using: &rng)
        let staff = ["1", "2", "r\\u00e9n", "n\\\"q", "\u{1F600}"].randomElement(using: &rng)!
        var fields: [(String, String)] = [
            ("staff_id", "\"\(staff)\""), ("role", "\"RN\""), ("unit", "\"MICU\""),
            ("start", "\"2026-11-0\(day)T07:00\""), ("end", "\"2026-11-0\(day)T19:00\""),
        ]
        switch Int.random(in: 0..<14, using: &rng) {
        case 0: fields.remove(at: Int.random(in: 0..<fields.count, using: &rng))
        case 1: fields[3].1 = "\"2026-03-08T02:30\""  // a local time that does not exist
        case 2: fields[4].1 = "\"2026-11-0\(day)T06:00\""  // ends before it starts
        case 3: fields[0].1 = "42"
        case 4: fields.append(("colour", "\"red\""))
        case 5: fields.append(("kind", "\"busy\""))
        case 6: fields.append(("kind", "\"nap\""))
        case 7: fields.append(("name", "\"Zo\\u00eb \\ud83d\\ude00\""))
        case 8: fields[2].1 = "\"\""
        default: break
        }
        fields.shuffle(using: &rng)
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// Half of the documents get one to three small edits: a byte replaced, inserted or removed
    /// (JSON punctuation mostly), or the end cut off.
    static func mutated(_ doc: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        guard Bool.random(using: &rng), !doc.isEmpty else { return doc }
        var d = doc
        let pieces = Array("{}[],:\"\\ \n0e-.tnx".utf8)
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !d.isEmpty {
            let at = Int.random(in: 0..<d.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: d[at] = pieces.randomElement(using: &rng)!
            case 1: d.insert(pieces.randomElement(using: &rng)!, at: at)
            case 2: d.remove(at: at)
            default: d.removeSubrange(at...)
            }
        }
        return d
    }
}

