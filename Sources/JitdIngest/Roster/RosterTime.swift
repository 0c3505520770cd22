import JitdCore

/// Date and time text as rosters write it, turned into instants in a unit's zone.
public enum RosterTime {
    public enum Problem: Error, Equatable {
        case malformed(String)
        case nonexistent(String, zone: String)

        public var message: String {
            switch self {
            case .malformed(let what): what
            case .nonexistent(let t, let zone):
                "\(t) does not exist in \(zone) (the clocks skip it); use a time outside the daylight-saving gap or give an offset"
            }
        }
    }

    /// `2026-11-24T07:00[:00][Z|±HH:MM|±HHMM]`, a space allowed for the `T`.
    /// Without an offset the time is local to `zone`.
    public static func instant(_ text: String, zone: Zone) throws(Problem) -> Instant {
        let s = text.trimmingCharacters(in: .whitespaces)
        let bad = Problem.malformed("'\(text)' is not a date-time; write e.g. 2026-11-24T07:00, 2026-11-24T07:00-05:00 or 2026-11-24T12:00Z")
        guard s.count >= 16 else { throw bad }
        let sepIndex = s.index(s.startIndex, offsetBy: 10)
        guard s[sepIndex] == "T" || s[sepIndex] == "t" || s[sepIndex] == " ",
              let date = parseDate(String(s[..<sepIndex])) else { throw bad }
        var rest = String(s[s.index(after: sepIndex)...])
        var offset: Int64? = nil
        if rest.hasSuffix("Z") || rest.hasSuffix("z") {
            offset = 0
            rest.removeLast()
        } else if let signIndex = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            guard let o = parseOffset(String(rest[signIndex...])) else { throw bad }
            offset = o
            rest = String(rest[..<signIndex])
        }
        guard let (h, m, sec) = parseClock(rest) else { throw bad }
        let local = LocalDateTime(year: date.0, month: date.1, day: date.2, hour: h, minute: m, second: sec)
        if let offset { return Instant(seconds: local.naiveSeconds - offset) }
        return try inZone(local, zone)
    }

    public static func inZone(_ local: LocalDateTime, _ zone: Zone) throws(Problem) -> Instant {
        do { return try zone.instant(local) } catch {
            throw .nonexistent(local.description, zone: zone.identifier)
        }
    }

    /// `YYYY-MM-DD`, checked against the calendar.
    public static func parseDate(_ s: String) -> (Int, Int, Int)? {
        let p = s.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
              let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              CivilDate.isValid(year: y, month: m, day: d) else { return nil }
        return (y, m, d)
    }

    /// `H:MM`, `HH:MM` or `HH:MM:SS` (seconds may carry a fraction, which is dropped).
    public static func parseClock(_ s: String) -> (Int, Int, Int)? {
        let p = s.split(separator: ":", omittingEmptySubsequences: false)
        guard p.count == 2 || p.count == 3, (1...2).contains(p[0].count), p[1].count == 2,
              let h = Int(p[0]), let m = Int(p[1]), (0...23).contains(h), (0...59).contains(m) else { return nil }
        var sec = 0
        if p.count == 3 {
            let whole = p[2].split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard whole.count == 2, let v = Int(whole), (0...59).contains(v) else { return nil }
            sec = v
        }
        return (h, m, sec)
    }

    /// `+HH:MM`, `-HHMM` or `+HH` in seconds east of UTC.
    static func parseOffset(_ s: String) -> Int64? {
        let sign: Int64 = s.first == "-" ? -1 : 1
        let digits = s.dropFirst().replacingOccurrences(of: ":", with: "")
        guard digits.count == 4 || digits.count == 2, digits.allSatisfy(\.isNumber),
              let h = Int64(digits.prefix(2)), let m = Int64(digits.count == 4 ? String(digits.suffix(2)) : "0"),
              h <= 18, m < 60 else { return nil }
        return sign * (h * 3600 + m * 60)
    }
}

import Foundation
