import Foundation
import Testing
@testable import JitdCore
@testable import JitdIngest

/// The streaming CSV path: the same records, entries and problems however a file is cut into
/// chunks; problems capped; bytes that are not UTF-8 reported where they are.
@Suite struct CSVStreamTests {
    let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!),
                                window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 4_000_000_000)))

    /// Records (or the problem) from feeding `bytes` in chunks of the sizes `rng` draws (1 to `max`).
    static func records(_ bytes: [UInt8], chunks max: Int, _ rng: inout SplitMix64) -> Result<[CSVReader.Record], CSVReader.Problem> {
        var parser = CSVRecordParser()
        var out: [CSVReader.Record] = []
        do {
            var at = 0
            while at < bytes.count {
                let n = Int.random(in: 1...max, using: &rng)
                let end = min(bytes.count, at + n)
                try bytes[at..<end].withUnsafeBufferPointer { try parser.feed($0) { out.append($0) } }
                at = end
            }
            try parser.finish { out.append($0) }
            return .success(out)
        } catch {
            return .failure(error as! CSVReader.Problem)
        }
    }

    /// `(entries, diagnostics)` of a roster fed in chunks of at most `max` bytes.
    func roster(_ bytes: [UInt8], chunks max: Int, limit: Int = .max, _ rng: inout SplitMix64) -> ([RosterEntry], [String]) {
        chunkedFeed(RosterCSVStream.self, bytes, file: "r.csv", context: context, limit: limit) { Int.random(in: 1...max, using: &rng) }
    }

    static let tricky: [String] = [
        "\u{FEFF}staff_id;role;unit;start;end\r\n1;RN;\"MICU; east\";2026-11-24T07:00;2026-11-24T19:00\r\n",
        "staff_id,role,unit,start,end,name\n7,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z,\"Lee \"\"Ace\"\"\r\nJr\"\n",
        "a,b\n\"x\"y,z\n",
        "a,b\n\"open,\nstill open\n",
        "a,\"\"\"\",c\r\n\r\n,,\n\"\"\n",
        "staff_id\trole\tunit\tdate\tstart_time\tend_time\n1\tRN\tMICU\t2026-10-31\t19:00\t07:00",
        "a,b\rc,d\r\"e\r\",f",
    ]

    @Test func recordsDoNotDependOnChunkSizes() {
        var rng = SplitMix64(seed: 7)
        let inputs = Self.tricky.map { Array($0.utf8) } + ParserFuzzTests.seeds()
        for input in inputs {
            let whole = Self.records(input, chunks: max(1, input.count), &rng)
            for max in [1, 2, 3, 5, 64] {
                for _ in 0..<5 {
                    #expect(Self.records(input, chunks: max, &rng) == whole, "\(String(decoding: input.prefix(60), as: UTF8.self))")
                }
            }
        }
    }

    @Test func mutatedRostersGiveTheSameEntriesAndProblemsInAnyChunks() {
        var rng = SplitMix64(seed: 99)
        let seeds = ParserFuzzTests.seeds() + Self.tricky.map { Array($0.utf8) }
        var fuzz = SeededFuzzRandom(seed: 3)
        for i in 0..<400 {
            let input = ParserFuzzTests.mutate(seeds[i % seeds.count], seeds[(i * 7) % seeds.count], &fuzz)
            let whole = roster(input, chunks: max(1, input.count), &rng)
            let pieces = roster(input, chunks: 1 + i % 9, &rng)
            #expect(pieces.0 == whole.0 && pieces.1 == whole.1, "input \(i)")
        }
    }

    /// A row past 1 MiB (one huge field, quoted or not, or many fields) stops the parse at its
    /// line, in whatever chunks it comes; a row just under the limit is read.
    @Test func rowsLongerThanAMebibyteStopTheParse() {
        var rng = SplitMix64(seed: 12)
        let big = String(repeating: "x", count: CSVRecordParser.maxRecordBytes + 1)
        let many = Array(repeating: String(repeating: "y", count: 1000), count: 1100).joined(separator: ",")
        for (row, line) in [("a,\(big)", 3), ("\"\(big)\"", 3), (many, 3)] {
            let bytes = Array("h1,h2\nok,ok\n\(row)\nlater,row\n".utf8)
            for max in [7, 4096, 1 << 20, bytes.count] {
                #expect(Self.records(bytes, chunks: max, &rng) == .failure(.recordTooLong(line: line)), "chunks of \(max)")
            }
        }
        let header = String(repeating: "z", count: CSVRecordParser.maxRecordBytes + 10)
        #expect(Self.records(Array(header.utf8), chunks: 65_536, &rng) == .failure(.recordTooLong(line: 1)), "a first line that never ends")
        let under = String(repeating: "x", count: CSVRecordParser.maxRecordBytes - 10)
        let ok = Self.records(Array("h1,h2\na,\(under)\n".utf8), chunks: 4096, &rng)
        #expect((try? ok.get())?.count == 2)
    }

    @Test func bytesThatAreNotUTF8AreReportedWhereTheyAre() {
        var rng = SplitMix64(seed: 1)
        let latin1: [UInt8] = Array("staff_id,role,unit,start,end,name\n1,RN,MICU,2026-11-24T07:00Z,2026-11-24T19:00Z,Jos".utf8) + [0xE9, 0x0A]
        let (entries, problems) = roster(latin1, chunks: 4, &rng)
        #expect(entries.isEmpty)
        #expect(problems == ["r.csv:2:6: error: the file is not UTF-8 text; export it as UTF-8 (CSV UTF-8 in spreadsheet programs)"])
    }

    @Test func problemsPastTheLimitAreCountedNotKept() {
        var rng = SplitMix64(seed: 2)
        var text = "staff_id,role,unit,start,end\n"
        for i in 0..<5_000 { text += "\(i),RN,MICU,2026-11-24T19:00,2026-11-24T07:00\n" }
        let (entries, problems) = roster(Array(text.utf8), chunks: 1 << 16, limit: 1_000, &rng)
        #expect(entries.isEmpty, "no entry is handed out once the file has an error")
        #expect(problems.count == 1_001)
        #expect(problems[0].hasPrefix("r.csv:2: error: end "))
        #expect(problems[999].hasPrefix("r.csv:1001: error: end "))
        #expect(problems[1_000] == "r.csv: error: 4000 more problems not shown (5000 errors and 0 warnings in all); fix the ones above and drop the file again")
    }

    @Test func entriesStopAtTheFirstErrorButEveryRowIsChecked() {
        var rng = SplitMix64(seed: 3)
        let text = """
            staff_id,role,unit,start,end
            1,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
            2,RN,MICU,2026-11-24T19:00,2026-11-24T07:00
            3,RN,MICU,2026-11-24T07:00,2026-11-24T19:00
            1,RN,5-West,2026-11-24T08:00,2026-11-24T12:00

            """
        let (entries, problems) = roster(Array(text.utf8), chunks: 10, &rng)
        #expect(entries.map(\.shift.staffID) == ["1"])
        #expect(problems.count == 2)
        #expect(problems[0].hasPrefix("r.csv:3: error: end "))
        #expect(problems[1].hasPrefix("r.csv:5: error: staff '1' is on two shifts at once"))
    }

    @Test func blankFilesAndHeaderOnlyFiles() {
        var rng = SplitMix64(seed: 4)
        #expect(roster([], chunks: 1, &rng).1 == ["r.csv:1: error: the file is empty; a roster needs a header row (staff_id,role,unit,start,end) and one row per shift"])
        #expect(roster(Array(" \n\r\n\u{FEFF}".utf8), chunks: 1, &rng).1.first?.hasPrefix("r.csv:1: error: the file holds only blank lines") == true)
        #expect(roster(Array("staff_id,role,unit,start,end\n".utf8), chunks: 3, &rng).1 == ["r.csv:1: warning: the roster has a header but no rows"])
    }
}

/// The byte-level fast path of `RosterTime.instant` agrees with the general parser on every
/// input it accepts (and leaves the rest to it).
@Suite struct RosterTimeFastPathTests {
    @Test func fastPathAgreesWithTheGeneralParser() throws {
        var rng = SplitMix64(seed: 5)
        let zones = [Zone("America/New_York")!, Zone("Australia/Lord_Howe")!, .utc]
        let pieces = ["2026", "-", "11", "03", "08", "-", "T", " ", "02", "30", ":", "00", "59", "60", "Z", "+05:30", "-0800", "+25:00", ".5", "1", "x", "+", "29", "02"]
        var accepted = 0
        var memo = LocalTimeMemo()
        for i in 0..<20_000 {
            var s: String
            if i % 2 == 0 {
                let y = Int.random(in: 2025...2027, using: &rng), mo = Int.random(in: 0...13, using: &rng), d = Int.random(in: 0...32, using: &rng)
                let h = Int.random(in: 0...24, using: &rng), mi = Int.random(in: 0...60, using: &rng)
                s = String(format: "%04d-%02d-%02dT%02d:%02d", y, mo, d, h, mi)
                s += ["", ":00", ":59", ":61", "Z", "+01:00", "-05:00", "+14:45", "-18:00", "+19:00", "+05", "z", ".5"].randomElement(using: &rng)!
            } else {
                s = (0..<Int.random(in: 1...10, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            }
            let zone = zones.randomElement(using: &rng)!
            let fast: Result<Instant?, RosterTime.Problem>
            do { fast = .success(try RosterTime.fastInstant(s, zone: zone, memo: &memo)) } catch { fast = .failure(error) }
            guard case .success(nil) = fast else {
                let general = Result { () throws(RosterTime.Problem) in try RosterTime.general(s, text: s, zone: zone) }
                #expect(fast.map { $0! } == general, "\(s) in \(zone.identifier)")
                accepted += 1
                continue
            }
        }
        #expect(accepted > 3_000, "the fast path takes the common shapes")
    }
}
