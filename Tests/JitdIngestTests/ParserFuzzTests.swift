import Foundation
import Testing
@testable import JitdCore
@testable import JitdIngest

/// A seeded mutation fuzzer over every parser: it takes the seed corpus in `TestData/fuzz-seeds/`,
/// mutates it (flip, insert, delete and duplicate bytes, splice two seeds, insert delimiters,
/// quotes, line breaks and huge numbers) and feeds the result to each parser, which must return
/// diagnostics, never crash or hang. A short run is part of the suite; a long one is
///
///     JITD_FUZZ_SECONDS=600 JITD_FUZZ_PARSER=ics swift test --filter ParserFuzzTests
///
/// (parsers: csv, json, json-chunks, ics, completions, catalog-json, toml-config, toml-catalog). A crash stops the run with the signal;
/// the input that caused it is written to `/tmp/jitd-fuzz-crash-PARSER` before each call.
@Suite struct ParserFuzzTests {
    static let seedsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("TestData/fuzz-seeds")

    static func seeds() -> [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: seedsDir.path)) ?? []
        return names.sorted().compactMap { FileManager.default.contents(atPath: seedsDir.path + "/" + $0).map(Array.init) }
    }

    static let tokens: [[UInt8]] = [",", ";", "\t", "\"", "\n", "\r\n", "\r\n ", ":", "T", "Z", "-", "99999999999999999999",
                                    "{", "}", "[", "]", "[[module]]", "=", "BEGIN:VEVENT\n", "END:VEVENT\n", "RRULE:FREQ=SECONDLY\n",
                                    "BYSETPOS=-366", "\u{FEFF}", "\\", "\u{0}", "é"].map { Array($0.utf8) }

    static func mutate(_ input: [UInt8], _ other: [UInt8], _ rng: inout SeededFuzzRandom) -> [UInt8] {
        var b = input
        for _ in 0..<Int.random(in: 1...8, using: &rng) {
            let at = b.isEmpty ? 0 : Int.random(in: 0..<b.count, using: &rng)
            switch Int.random(in: 0...6, using: &rng) {
            case 0 where !b.isEmpty: b[at] ^= UInt8(1 << Int.random(in: 0...7, using: &rng))
            case 1: b.insert(UInt8.random(in: 0...255, using: &rng), at: at)
            case 2 where !b.isEmpty: b.removeSubrange(at..<min(b.count, at + Int.random(in: 1...32, using: &rng)))
            case 3 where !b.isEmpty:
                let end = min(b.count, at + Int.random(in: 1...64, using: &rng))
                b.insert(contentsOf: b[at..<end], at: at)
            case 4 where !other.isEmpty:
                let cut = Int.random(in: 0..<other.count, using: &rng)
                b = Array(b.prefix(at)) + Array(other.suffix(from: cut))
            default: b.insert(contentsOf: tokens.randomElement(using: &rng)!, at: at)
            }
        }
        return Array(b.prefix(1 << 16))
    }

    static let parsers: [(String, @Sendable ([UInt8]) -> Void)] = [
        ("csv", { run($0, name: "f.csv") }),
        ("json", { run($0, name: "f.json") }),
        ("json-chunks", { chunksAgree($0) }),
        ("ics", { run($0, name: "f.ics") }),
        ("completions", { bytes in
            var sink = DiagnosticSink(file: "c.csv")
            _ = CompletionsCSVParser.parse(text: String(decoding: bytes, as: UTF8.self), file: "c.csv", zone: .utc, sink: &sink)
        }),
        ("catalog-json", { _ = try? CatalogParser.parse([("c.json", String(decoding: $0, as: UTF8.self))], zone: .utc) }),
        // TOMLKit's embedded toml++ aborts on internal assertions for some malformed TOML (found by
        // this fuzzer); `TOMLAbortGuard` reports those cases before toml++ sees them.
        ("toml-config", { _ = try? ConfigLoader.parse(text: String(decoding: $0, as: UTF8.self), file: "/x/jitd.toml") }),
        ("toml-catalog", { _ = try? CatalogParser.parse([("c.toml", String(decoding: $0, as: UTF8.self))], zone: .utc) }),
    ]

    static func run(_ bytes: [UInt8], name: String) {
        let window = Interval(start: Instant(rfc3339: "2026-11-01T00:00:00Z")!, end: Instant(rfc3339: "2026-12-15T00:00:00Z")!)
        let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!), window: window)
        var sink = DiagnosticSink(file: name)
        _ = InputFileReader.parse(name: name, data: Data(bytes), context: context, sink: &sink)
    }

    /// The JSON roster stream fed in small chunks (their size drawn from the input) must give the
    /// same entries and problems as fed at once.
    static func chunksAgree(_ bytes: [UInt8]) {
        let context = RosterContext(zones: UnitZones(site: Zone("America/New_York")!),
                                    window: Interval(start: Instant(seconds: 0), end: Instant(seconds: 4_000_000_000)))
        func feed(_ size: Int) -> ([RosterEntry], [String]) {
            chunkedFeed(RosterJSONStream.self, bytes, file: "f.json", context: context) { size }
        }
        let whole = feed(max(1, bytes.count)), cut = feed(1 + bytes.count % 13)
        #expect(whole.0 == cut.0 && whole.1 == cut.1, "chunks of \(1 + bytes.count % 13): \(String(decoding: bytes, as: UTF8.self))")
    }

    @Test(.timeLimit(.minutes(20))) func parsersSurviveMutatedInput() throws {
        let env = ProcessInfo.processInfo.environment
        let seconds = env["JITD_FUZZ_SECONDS"].flatMap(Double.init)
        let only = env["JITD_FUZZ_PARSER"]
        let seeds = Self.seeds()
        try #require(seeds.count >= 10, "seed corpus missing at \(Self.seedsDir.path)")
        for (name, parse) in Self.parsers where only == name || only == nil {
            var rng = SeededFuzzRandom(seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
            let deadline = seconds.map { Date().addingTimeInterval($0) }
            var count = 0, slowest = 0.0
            while deadline.map({ Date() < $0 }) ?? (count < 2_000) {
                let input = Self.mutate(seeds.randomElement(using: &rng)!, seeds.randomElement(using: &rng)!, &rng)
                if seconds != nil { _ = FileManager.default.createFile(atPath: "/tmp/jitd-fuzz-crash-\(name)", contents: Data(input)) }
                let t = Date()
                parse(input)
                let took = Date().timeIntervalSince(t)
                slowest = max(slowest, took)
                #expect(took < 5, "\(name): one input took \(took) s")
                count += 1
            }
            if seconds != nil { print("fuzz \(name): \(count) inputs, slowest \(String(format: "%.3f", slowest)) s, no crash") }
        }
    }
}

/// Reproducible fuzzing.
typealias SeededFuzzRandom = SplitMix64
