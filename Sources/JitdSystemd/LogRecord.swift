import Foundation
import Logging

/// One log event with everything a handler writes out, metadata already merged and redacted.
///
/// Shared by the journal and the standard-error handlers so that both say the same thing and
/// both keep secrets and staff names out.
public struct LogRecord: Sendable {
    public var label: String
    public var level: Logger.Level
    public var message: String
    /// Merged metadata (handler, then provider, then the call's own), sorted by key, redacted.
    public var metadata: [(key: String, value: String)]
    public var file: String
    public var function: String
    public var line: UInt

    public init(label: String, event: LogEvent, handlerMetadata: Logger.Metadata,
                provider: Logger.MetadataProvider?) {
        var merged = handlerMetadata
        if let provided = provider?.get() { merged.merge(provided, uniquingKeysWith: { _, new in new }) }
        if let own = event.metadata { merged.merge(own, uniquingKeysWith: { _, new in new }) }
        self.label = label
        self.level = event.level
        self.message = event.message.description
        self.metadata = merged.sorted { $0.key < $1.key }.map { key, value in
            (key, LogRedaction.isSensitive(key) ? LogRedaction.placeholder : value.description)
        }
        self.file = event.file
        self.function = event.function
        self.line = event.line
    }
}

/// What never reaches a log: secrets and staff names.
///
/// Metadata is filtered by key, so code that attaches a staff name or a token to a logger by
/// mistake logs `[redacted]` instead. Staff ids are opaque and stay; message text is the
/// caller's responsibility (jitd's messages carry ids, counts and file names only).
public enum LogRedaction {
    public static let placeholder = "[redacted]"

    static let sensitiveWords = ["secret", "token", "password", "passwd", "authorization", "cookie", "credential",
                                 "apikey", "api_key", "signature"]

    /// Whether a metadata key names a secret or a person's name.
    public static func isSensitive(_ key: String) -> Bool {
        let k = key.lowercased()
        if k == "name" || k.hasSuffix("_name") || k.hasSuffix(".name") || k.hasSuffix("-name") {
            return true
        }
        return sensitiveWords.contains { k.contains($0) }
    }
}

/// Journal field names and priorities for swift-log levels and metadata keys.
public enum JournalFields {
    /// syslog(3) priority of a level, as the journal's `PRIORITY=` field wants it.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `jitd_unit` → `JITD_UNIT`, `hb.request.id` → `JITD_HB_REQUEST_ID`: upper case letters, digits
    /// and `_`, not starting with `_` (those are the journal's trusted fields), at most 64 bytes.
    public static func name(forMetadataKey key: String) -> String {
        var body = String(key.uppercased().unicodeScalars.map { s -> Character in
            (("A"..."Z").contains(s) || ("0"..."9").contains(s)) ? Character(s) : "_"
        })
        while body.hasPrefix("_") { body.removeFirst() }
        if body.hasPrefix("JITD_") { body.removeFirst(5) }
        if body.isEmpty { body = "FIELD" }
        return String(("JITD_" + body).prefix(64))
    }
}

/// Text and JSON renderings of a record, for standard error.
enum LogLine {
    static func text(_ r: LogRecord, timestamp: String?) -> String {
        var out = ""
        if let timestamp { out += timestamp + " " }
        out += "\(r.level) \(r.label): \(r.message)"
        for (k, v) in r.metadata { out += " \(k)=\(quotedIfNeeded(v))" }
        return oneLine(out) + "\n"
    }

    static func json(_ r: LogRecord, timestamp: String) -> String {
        var out = "{\"ts\":\(quote(timestamp)),\"level\":\(quote(r.level.rawValue)),\"logger\":\(quote(r.label)),\"msg\":\(quote(r.message))"
        for (k, v) in r.metadata where !["ts", "level", "logger", "msg", "file", "line", "func"].contains(k) {
            out += ",\(quote(k)):\(quote(v))"
        }
        out += ",\"file\":\(quote(r.file)),\"line\":\(r.line),\"func\":\(quote(r.function))}\n"
        return out
    }

    static func quotedIfNeeded(_ v: String) -> String {
        v.isEmpty || v.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? quote(v) : v
    }

    /// One line of text a terminal shows as it is: line breaks become ` ⏎ `, and other control
    /// characters (a file name may hold an escape sequence, a carriage return, a bidi override)
    /// are written as `\u{1B}`.
    static func oneLine(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        var scalars = s.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let u = pending {
            pending = scalars.next()
            if u == "\r", pending == "\n" { continue } // CRLF: one break
            if u == "\n" || u == "\r" { out += " ⏎ "; continue }
            if isControl(u) { out += "\\u{\(String(u.value, radix: 16, uppercase: true))}" } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    /// C0 and C1 controls (tab aside) and the bidirectional formatting characters.
    static func isControl(_ u: Unicode.Scalar) -> Bool {
        (u.value < 0x20 && u != "\t") || (0x7F...0x9F).contains(u.value) || (0x202A...0x202E).contains(u.value)
            || (0x2066...0x2069).contains(u.value)
    }

    /// A JSON string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20 || u.value == 0x2028 || u.value == 0x2029:
                out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds.
    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec), Int(ts.tv_nsec / 1_000_000))
    }
}
