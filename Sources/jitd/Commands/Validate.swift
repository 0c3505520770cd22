import ArgumentParser
import Foundation
import JitdCore
import JitdIngest

/// `jitd validate`: checks roster, completions, catalog and config files without touching state.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check roster, completions, catalog and config files; print FILE:LINE: error: … for each problem.",
        discussion: "Exit status: 0 when all files are valid, 1 when any is not, 2 on a usage error.")

    @Option(help: "Config whose zones and units apply to rosters (default: UTC).") var config: String?
    @Flag(help: "Print what was understood, one JSON object per line.") var print = false
    @Option(help: "Expand recurring events from this time (RFC 3339; default: one day ago).") var from: TimeArgument?
    @Option(help: "Expand recurring events until this time (RFC 3339; default: end of the planning horizon).") var to: TimeArgument?
    @Argument(help: "Files to check.") var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file to check") }
    }

    func run() throws {
        var cfg: Config? = nil
        var failed = false
        if let path = config {
            do { cfg = try ConfigLoader.load(path: path).value } catch { printError(error.description); failed = true }
        }
        let zones = UnitZones(site: cfg?.siteZone ?? .utc, units: cfg?.unitZones ?? [:])
        let start = from?.instant ?? now().adding(seconds: -86_400)
        let end = to?.instant ?? now().adding(seconds: Int64((cfg?.policy ?? Policy()).horizonHours) * 3600)
        let context = RosterContext(zones: zones, window: Interval(start: start, end: end), now: now())
        for file in files {
            let problems = check(file, context: context)
            problems.forEach { printError($0.description) }
            if problems.contains(where: { $0.severity == .error }) { failed = true }
        }
        if failed { throw ExitCode(1) }
    }

    func check(_ file: String, context: RosterContext) -> [Diagnostic] {
        if !print, let head = try? ChunkedFile.prefix(path: file, count: 4096) {
            switch InputFileReader.streamed(name: file, firstBytes: head) {
            // A JSON catalog names `"modules"` and no `"shifts"`; a roster names `"shifts"` near its start.
            case .roster(let format)? where format != RosterJSONStream.self || FileRole.namesShifts(String(decoding: head, as: UTF8.self)):
                return streamed(file, format, context)
            case .completions?: return streamed(file, CompletionsCSVStream.self, context)
            default: break
            }
        }
        guard let data = FileManager.default.contents(atPath: file) else {
            return [Diagnostic(file: file, message: "cannot read the file; check the path and its permissions")]
        }
        var sink = DiagnosticSink(file: file)
        if case .roster(let format)? = InputFileReader.streamed(name: file, firstBytes: data), format == RosterCSVStream.self {
            return input(file, data, context, &sink)
        }
        guard let text = InputFileReader.text(data, sink: &sink) else { return sink.items }
        switch FileRole.of(file, text: text) {
        case .config:
            do {
                let c = try ConfigLoader.parse(text: text, file: file)
                if print { emit(.object(["config": .string(file), "timezone": .string(c.value.siteZone.identifier),
                                         "coverage_rules": .int(c.value.coverage.count), "webhooks": .int(c.value.webhooks.count),
                                         "learning_record_stores": .int(c.value.lrs.count)])) }
                return c.warnings
            } catch { return error.items }
        case .catalog:
            do {
                let c = try CatalogParser.parse([(file, text)], zone: context.zones.site)
                if print { c.value.forEach { emit(.object(["module": .string($0.id), "kind": .string($0.kind.rawValue), "minutes": .int($0.minutes)])) } }
                return c.warnings
            } catch { return error.items }
        case .input:
            return input(file, data, context, &sink)
        }
    }

    /// Checks a roster or completions file as the inbox reads it, in chunks, keeping no entry: a
    /// roster of any size is checked in the memory of a chunk and 32 bytes a shift.
    func streamed<Format: ByteStreamParser>(_ file: String, _ format: Format.Type, _ context: RosterContext) -> [Diagnostic] {
        var sink = DiagnosticSink(file: file)
        try? Format.read(path: file, context: context, sink: &sink) { _ in }
        return sink.items
    }

    func input(_ file: String, _ data: Data, _ context: RosterContext, _ sink: inout DiagnosticSink) -> [Diagnostic] {
        let parsed = InputFileReader.parse(name: file, data: data, context: context, sink: &sink)
        if print && !sink.hasErrors { printParsed(parsed) }
        return sink.items
    }

    func printParsed(_ input: InputFile?) {
        var out = Data()
        func line(_ v: JSONValue) {
            out.append(v.encoded())
            out.append(0x0A)
            if out.count >= 1 << 20 { FileHandle.standardOutput.write(out); out.removeAll(keepingCapacity: true) }
        }
        switch input {
        case .roster(let entries):
            for e in entries.sorted(by: { Shift.canonicalOrder($0.shift, $1.shift) }) {
                let s = e.shift
                line(.object(["staff_id": .string(s.staffID), "role": .string(s.role), "unit": .string(s.unit),
                              "kind": .string(s.kind.rawValue), "start": .string(s.interval.start.rfc3339),
                              "end": .string(s.interval.end.rfc3339)]))
            }
        case .completions(let list):
            for c in list {
                line(.object(["staff_id": .string(c.staffID), "module_id": .string(c.moduleID), "completed_at": .string(c.completedAt.rfc3339)]))
            }
        case nil: break
        }
        FileHandle.standardOutput.write(out)
    }

    func emit(_ v: JSONValue) {
        FileHandle.standardOutput.write(v.encoded() + Data("\n".utf8))
    }
}

/// What kind of file `validate` was given: told by extension and content.
enum FileRole {
    case config, catalog, input

    /// Whether a JSON text names `"shifts"`: then it is a roster, not a catalog.
    static func namesShifts(_ text: String) -> Bool {
        text.range(of: #""shifts"\s*:"#, options: .regularExpression) != nil
    }

    static func of(_ file: String, text: String) -> FileRole {
        let lower = file.lowercased()
        if lower.hasSuffix(".toml") {
            return text.range(of: #"(?m)^\s*\[\[\s*module\s*\]\]"#, options: .regularExpression) != nil ? .catalog : .config
        }
        if lower.hasSuffix(".json"), text.range(of: #""modules"\s*:"#, options: .regularExpression) != nil,
           !namesShifts(text) {
            return .catalog
        }
        return .input
    }
}
