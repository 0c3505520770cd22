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
        var memo = LocalTimeMemo.off
        return try instant(text, zone: zone, memo: &memo)
    }

    /// The same, for the many rows of one file: local times are turned into instants through `memo`.
    public static func instant(_ text: String, zone: Zone, memo: inout LocalTimeMemo) throws(Problem) -> Instant {
        let s = CSVHeader.trimmed(text)
        if let fast = try fastInstant(s, zone: zone, memo: &memo) { return fast }
        return try general(s, text: text, zone: zone)
    }

    /// Every accepted shape, with the message for a bad one; `s` is `text` trimmed.
    static func general(_ s: String, text: String, zone: Zone) throws(Problem) -> Instant {
        let bad = Problem.malformed("\(Brief.quoted(text)) is not a date-time; write e.g. 2026-11-24T07:00, 2026-11-24T07:00-05:00 or 2026-11-24T12:00Z")
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

    /// The common shapes, read straight from the bytes: `YYYY-MM-DDTHH:MM[:SS]` then nothing, `Z`
    /// or `±HH:MM`. `nil` for anything else, which takes the general path (and its messages).
    static func fastInstant(_ s: String, zone: Zone, memo: inout LocalTimeMemo) throws(Problem) -> Instant? {
        guard let (local, offset) = fastLocal(s) else { return nil }
        if let offset { return Instant(seconds: local.naiveSeconds - offset) }
        return try inZone(local, zone, memo: &memo)
    }

    /// The local time and offset (`nil`: none given) of the common shapes.
    static func fastLocal(_ s: String) -> (LocalDateTime, Int64?)? {
        var s = s
        return s.withUTF8 { b -> (LocalDateTime, Int64?)? in
            func digits(_ at: Int, _ n: Int) -> Int? {
                var v = 0
                for i in at..<(at + n) {
                    let d = Int(b[i]) &- 48
                    guard d >= 0 && d <= 9 else { return nil }
                    v = v * 10 + d
                }
                return v
            }
            guard b.count >= 16, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58,
                  let y = digits(0, 4), let mo = digits(5, 2), let d = digits(8, 2),
                  let h = digits(11, 2), let mi = digits(14, 2),
                  CivilDate.isValid(year: y, month: mo, day: d), h <= 23, mi <= 59 else { return nil }
            var at = 16, sec = 0
            if b.count >= 19, b[16] == 58 {
                guard let v = digits(17, 2), v <= 59 else { return nil }
                sec = v
                at = 19
            }
            let local = LocalDateTime(year: y, month: mo, day: d, hour: h, minute: mi, second: sec)
            switch b.count - at {
            case 0: return (local, nil)
            case 1 where b[at] == 90: return (local, 0)
            case 6 where (b[at] == 43 || b[at] == 45) && b[at + 3] == 58:
                guard let oh = digits(at + 1, 2), let om = digits(at + 4, 2), oh <= 18, om < 60 else { return nil }
                return (local, Int64(oh * 3600 + om * 60) * (b[at] == 45 ? -1 : 1))
            default: return nil
            }
        }
    }

    public static func inZone(_ local: LocalDateTime, _ zone: Zone) throws(Problem) -> Instant {
        var memo = LocalTimeMemo.off
        return try inZone(local, zone, memo: &memo)
    }

    public static func inZone(_ local: LocalDateTime, _ zone: Zone, memo: inout LocalTimeMemo) throws(Problem) -> Instant {
        do { return try memo.instant(local, in: zone) } catch {
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
