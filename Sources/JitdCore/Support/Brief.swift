/// How reports, logs and events quote a value taken from input: briefly.
///
/// A bad field can be megabytes long (a spreadsheet cell pasted into a roster, a binary file
/// renamed `.csv`); quoted whole it would be copied into the rejection report, the log, the
/// inbox history and a webhook body. A quote holds at most ``limit`` characters, then `…` and
/// the value's size in bytes, and shows control characters escaped, so that one line of a report
/// stays one line.
public enum Brief {
    /// The most characters of a value a quote shows.
    public static let limit = 120

    /// `'value'`, or `'first 120 characters…' (N bytes)` for a longer one.
    public static func quoted<S: StringProtocol>(_ value: S) -> String {
        var out = "'"
        var shown = 0
        for c in value {
            guard shown < limit else { return out + "…' (\(value.utf8.count) bytes)" }
            out += escaped(c)
            shown += 1
        }
        return out + "'"
    }

    /// The most characters a whole message (a report line, a log line) keeps.
    public static let messageLimit = 1_000

    /// `text` whole, or its first `limit` characters then `… (N bytes)`: the last guard on a
    /// message, whatever it quotes.
    public static func bounded(_ text: String, limit: Int = messageLimit) -> String {
        guard text.utf8.count > limit else { return text }
        let end = text.index(text.startIndex, offsetBy: limit, limitedBy: text.endIndex) ?? text.endIndex
        guard end < text.endIndex else { return text }
        return String(text[..<end]) + "… (\(text.utf8.count) bytes)"
    }

    /// The value with control characters escaped (`\n`, `\t`, `\u{1B}`), for a file name in a
    /// text log line: a name can hold any byte but `/` and NUL.
    public static func escaped<S: StringProtocol>(_ value: S) -> String {
        var out = ""
        for c in value { out += escaped(c) }
        return out
    }

    static func escaped(_ c: Character) -> String {
        guard c.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0.properties.generalCategory == .format && $0.value != 0x200D })
        else { return String(c) }
        var out = ""
        for s in c.unicodeScalars {
            switch s {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                let cat = s.properties.generalCategory
                out += (cat == .control || (cat == .format && s.value != 0x200D)) ? "\\u{\(String(s.value, radix: 16, uppercase: true))}" : String(s)
            }
        }
        return out
    }
}
