import Foundation

/// ISO 8601 dates and times written digit by digit into the string's bytes: `String(format:)`
/// goes through CoreFoundation's formatter, which cost a few microseconds a call (a third of
/// `jitd validate --print`'s time on a big roster went to `Instant.rfc3339`).
public enum TimeText {
    /// `YYYY-MM-DD`, then `THH:MM:SS` when `time` is given, then `Z` when `utc`. Years outside
    /// 0…9999 are written as `String(format: "%04d")` writes them.
    public static func iso(year: Int, month: Int, day: Int, time: (hour: Int, minute: Int, second: Int)? = nil,
                           utc: Bool = false) -> String {
        guard (0...9999).contains(year), (0...99).contains(month), (0...99).contains(day),
              time.map({ (0...99).contains($0.hour) && (0...99).contains($0.minute) && (0...99).contains($0.second) }) ?? true
        else {
            var s = String(format: "%04d-%02d-%02d", year, month, day)
            if let t = time { s += String(format: "T%02d:%02d:%02d", t.hour, t.minute, t.second) }
            return utc ? s + "Z" : s
        }
        let count = 10 + (time == nil ? 0 : 9) + (utc ? 1 : 0)
        return String(unsafeUninitializedCapacity: count) { b in
            func put(_ v: Int, _ at: Int, _ width: Int) {
                var v = v
                for i in stride(from: at + width - 1, through: at, by: -1) { b[i] = UInt8(ascii: "0") + UInt8(v % 10); v /= 10 }
            }
            put(year, 0, 4); b[4] = UInt8(ascii: "-"); put(month, 5, 2); b[7] = UInt8(ascii: "-"); put(day, 8, 2)
            if let t = time {
                b[10] = UInt8(ascii: "T"); put(t.hour, 11, 2); b[13] = UInt8(ascii: ":")
                put(t.minute, 14, 2); b[16] = UInt8(ascii: ":"); put(t.second, 17, 2)
            }
            if utc { b[count - 1] = UInt8(ascii: "Z") }
            return count
        }
    }
}
