import Foundation
import Testing
@testable import JitdCore
@testable import JitdIngest

/// The streamed completions CSV: the same completions and problems however the file is cut into
/// chunks; every kind of bad row reported at its line; the site's zone for times without offset.
@Suite struct CompletionsCSVStreamTests {
    let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!),
                                window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 0)))

    func stream(_ bytes: [UInt8], chunks max: Int, _ rng: inout SplitMix64) -> ([Completion], [String]) {
        chunkedFeed(CompletionsCSVStream.self, bytes, file: "c.csv", context: context) { Int.random(in: 1...max, using: &rng) }
    }

    @Test func everyBadRowIsReportedAtItsLine() {
        var rng = SplitMix64(seed: 31)
        let text = """
            \u{FEFF}Employee ID;Module;Completion Date\r
            1;sepsis;2026-11-01\r
            2;sepsis;2026-11-02T10:00Z\r
            3;;2026-11-02\r
            4;stroke;2026-13-01\r
            5;stroke\r
            "6";"hand;hygiene";"2026-03-08T02:30"\r

            """
        let (list, problems) = stream(Array(text.utf8), chunks: 3, &rng)
        #expect(problems == [
            "c.csv:4: error: staff_id, module_id and completed_at must all be filled in",
            "c.csv:5:3: error: 'completed_at': '2026-13-01' is not a date; write e.g. 2026-11-24, or a date-time such as 2026-11-24T07:00",
            "c.csv:6: error: row has 2 fields but the header has 3",
            "c.csv:7:3: error: 'completed_at': 2026-03-08T02:30:00 does not exist in America/New_York (the clocks skip it); use a time outside the daylight-saving gap or give an offset",
        ], "\(problems)")
        #expect(list.map(\.completedAt.rfc3339) == ["2026-11-01T04:00:00Z", "2026-11-02T10:00:00Z"], "handed out until the first error")
    }

    @Test func anyChunkingGivesTheSameCompletionsAndProblems() {
        var rng = SplitMix64(seed: 32)
        for _ in 0..<300 {
            var lines = ["staff_id,module_id,completed_at"]
            for i in 0..<Int.random(in: 0...12, using: &rng) {
                let day = Int.random(in: 1...31, using: &rng)
                lines.append(["s\(i),m,2026-10-\(String(format: "%02d", day))", "\"s,\(i)\",\"m\"\"x\",2026-10-01T08:00-04:00",
                              "s\(i),m", ",m,2026-10-01", "s\(i),m,yesterday"].randomElement(using: &rng)!)
            }
            var doc = Array((lines.joined(separator: Bool.random(using: &rng) ? "\n" : "\r\n") + "\n").utf8)
            if Bool.random(using: &rng), !doc.isEmpty {
                doc.insert(Array("\",;\n\u{FF}".utf8).randomElement(using: &rng)!, at: Int.random(in: 0..<doc.count, using: &rng))
            }
            let whole = stream(doc, chunks: doc.count + 1, &rng)
            for max in [1, 2, 7, 64] {
                let cut = stream(doc, chunks: max, &rng)
                #expect(cut.0 == whole.0 && cut.1 == whole.1, "chunks of \(max): \(String(decoding: doc, as: UTF8.self))")
            }
        }
    }

    @Test func aHeaderWithoutTheColumnsAndAFileWithoutAHeader() {
        var rng = SplitMix64(seed: 33)
        #expect(stream(Array("staff_id,module_id,when\n1,m,2026-01-01\n".utf8), chunks: 4, &rng).1
                == ["c.csv:1: error: header has no 'completed_at' column; completions need staff_id,module_id,completed_at"])
        #expect(stream(Array("\n\n".utf8), chunks: 1, &rng).1
                == ["c.csv:1: error: the file holds no header; completions need a header row staff_id,module_id,completed_at"])
        #expect(stream(Array("staff_id,module_id,completed_at\n\"1,m,2026-01-01\n".utf8), chunks: 2, &rng).1
                == ["c.csv:2: error: a quoted field opened here never closes; add the closing \""])
    }
}
