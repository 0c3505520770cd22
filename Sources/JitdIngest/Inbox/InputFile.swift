import Foundation
import JitdCore

/// What an input file held, once parsed.
public enum InputFile: Sendable {
    case roster([RosterEntry])
    case completions([Completion])

    public var kind: String {
        switch self {
        case .roster: "roster"
        case .completions: "completions"
        }
    }
}

/// Tells rosters from completions by extension and header, and parses them.
public enum InputFileReader {
    public static let rosterExtensions = ["csv", "tsv", "txt", "json", "ics"]
    public static let csvExtensions = ["csv", "tsv", "txt"]

    /// A file read as bytes in chunks: a CSV or JSON roster, or a completions CSV.
    public enum Streamed {
        case roster(any ByteStreamParser<RosterEntry>.Type)
        case completions
    }

    /// How `name` with `firstBytes` (its first few KiB) is read: streamed (CSV and JSON rosters,
    /// completions CSVs, told from CSV rosters by their header), or `nil` when it is read whole
    /// (iCalendar rosters, and files of no known kind, which are refused once read).
    public static func streamed(name: String, firstBytes: some Collection<UInt8>) -> Streamed? {
        let ext = (name as NSString).pathExtension.lowercased()
        if ext == "json" { return .roster(RosterJSONStream.self) }
        guard csvExtensions.contains(ext) else { return nil }
        return CompletionsCSVParser.looksLikeCompletions(String(decoding: firstBytes.prefix(4096), as: UTF8.self))
            ? .completions : .roster(RosterCSVStream.self)
    }

    /// Parses the bytes of a file as the kind its name says: streamed kinds straight from the
    /// bytes, as the inbox reads them (a line and column for bytes that are not UTF-8), iCalendar
    /// rosters once decoded.
    public static func parse(name: String, data: Data, context: RosterContext, sink: inout DiagnosticSink) -> InputFile? {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            switch streamed(name: name, firstBytes: data) {
            case .roster(let format)?: return .roster(format.items(of: bytes, context: context, sink: &sink))
            case .completions?: return .completions(CompletionsCSVStream.items(of: bytes, context: context, sink: &sink))
            case nil: return text(data, sink: &sink).flatMap { parse(name: name, text: $0, context: context, sink: &sink) }
            }
        }
    }

    /// Parses `text` as the kind of file its name says. Every problem is in `sink`.
    public static func parse(name: String, text: String, context: RosterContext, sink: inout DiagnosticSink) -> InputFile? {
        let ext = (name as NSString).pathExtension.lowercased()
        if rosterExtensions.contains(ext), !RosterChecks.hasContent(text, ext: ext, sink: &sink) { return nil }
        switch ext {
        case "csv", "tsv", "txt":
            if CompletionsCSVParser.looksLikeCompletions(text) {
                return .completions(CompletionsCSVParser.parse(text: text, file: sink.file, zone: context.zones.site, sink: &sink))
            }
            return .roster(RosterCSVParser.parse(text: text, file: sink.file, context: context, sink: &sink))
        case "json":
            return .roster(RosterJSONParser.parse(text: text, file: sink.file, context: context, sink: &sink))
        case "ics":
            return checked(ICalendarRosterParser.parse(text: text, file: sink.file, context: context, sink: &sink), context, &sink)
        default:
            sink.error("unsupported file type '.\(ext)'; drop rosters as .csv, .tsv, .txt, .json or .ics")
            return nil
        }
    }

    /// A parsed roster after the checks across its rows (`RosterChecks`).
    static func checked(_ entries: [RosterEntry], _ context: RosterContext, _ sink: inout DiagnosticSink) -> InputFile {
        RosterChecks.overlappingShifts(entries, zones: context.zones, sink: &sink)
        return .roster(entries)
    }

    /// Decodes bytes as UTF-8 text or reports why not.
    public static func text(_ data: Data, sink: inout DiagnosticSink) -> String? {
        if let t = String(data: data, encoding: .utf8) { return t }
        sink.error("the file is not UTF-8 text; export it as UTF-8 (CSV UTF-8 in spreadsheet programs)", line: 1)
        return nil
    }
}
