import JitdCore
import NIOCore

/// Writes JSON straight into a `ByteBuffer`, for the responses that carry many rows.
///
/// `JSONValue` goes through `JSONEncoder`, which is fine for small bodies but costs most of a
/// request when a page holds a hundred assignments. Callers write keys in sorted order, so the
/// output matches what `JSONValue.encoded()` gives for the same object.
struct JSONWriter {
    private(set) var buffer: ByteBuffer
    /// Whether the next value in the current container needs a comma before it.
    private var needsComma = false
    private var dates = JSONBytes.DateCache()

    init(capacity: Int = 1024) { buffer = ByteBufferAllocator().buffer(capacity: capacity) }

    mutating func beginObject() { separate(); buffer.writeInteger(UInt8(ascii: "{")); needsComma = false }
    mutating func endObject() { buffer.writeInteger(UInt8(ascii: "}")); needsComma = true }
    mutating func beginArray() { separate(); buffer.writeInteger(UInt8(ascii: "[")); needsComma = false }
    mutating func endArray() { buffer.writeInteger(UInt8(ascii: "]")); needsComma = true }

    /// A key known at compile time (no escaping needed), with its colon.
    mutating func key(_ k: StaticString) {
        separate()
        buffer.writeInteger(UInt8(ascii: "\""))
        buffer.writeStaticString(k)
        buffer.writeStaticString("\":")
        needsComma = false
    }

    mutating func string(_ s: String) {
        separate()
        var s = s
        _ = s.withUTF8 { utf8 in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: JSONBytes.maxQuoted(utf8.count)) { out in
                var p = JSONBytes.Cursor(out.baseAddress!.assumingMemoryBound(to: UInt8.self))
                p.quoted(utf8)
                return p.written
            }
        }
        needsComma = true
    }

    mutating func string(_ s: String?) { if let s { string(s) } else { null() } }
    mutating func null() { separate(); buffer.writeStaticString("null"); needsComma = true }
    mutating func bool(_ b: Bool) { separate(); buffer.writeStaticString(b ? "true" : "false"); needsComma = true }
    mutating func int(_ v: Int64) { separate(); buffer.writeString(String(v)); needsComma = true }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func int(_ v: Int?) { if let v { int(Int64(v)) } else { null() } }

    mutating func double(_ v: Double) {
        separate()
        if v.isFinite { buffer.writeString("\(v)") } else { buffer.writeStaticString("null") }
        needsComma = true
    }

    /// Inserts an already encoded JSON value.
    mutating func raw(_ encoded: some Sequence<UInt8>) { separate(); buffer.writeBytes(encoded); needsComma = true }

    mutating func value(_ v: JSONValue) { raw(v.encoded()) }

    /// RFC 3339 in UTC with a `Z`, as `Instant.rfc3339` writes it, without going through `String(format:)`.
    mutating func instant(_ t: Instant) {
        separate()
        var dates = self.dates
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: JSONBytes.maxInstant) { out in
            var p = JSONBytes.Cursor(out.baseAddress!.assumingMemoryBound(to: UInt8.self), dates: dates)
            p.instant(t.seconds)
            dates = p.dates
            return p.written
        }
        self.dates = dates
        needsComma = true
    }

    mutating func instant(_ t: Instant?) { if let t { instant(t) } else { null() } }

    /// Appends up to `maxCount` bytes that `fill` writes in place through a cursor: one capacity
    /// check for a whole row instead of one per field.
    mutating func inPlace(maxCount: Int, _ fill: (inout JSONBytes.Cursor) -> Void) {
        var dates = self.dates
        let comma = needsComma
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: maxCount + 1) { out in
            var p = JSONBytes.Cursor(out.baseAddress!.assumingMemoryBound(to: UInt8.self), dates: dates)
            if comma { p.byte(UInt8(ascii: ",")) }
            fill(&p)
            dates = p.dates
            return p.written
        }
        self.dates = dates
        needsComma = true
    }

    private mutating func separate() {
        if needsComma { buffer.writeInteger(UInt8(ascii: ",")) }
    }
}

/// JSON written through a raw pointer into memory the caller sized with the `max…` bounds.
enum JSONBytes {
    /// Most bytes a quoted string of `n` UTF-8 bytes takes (every byte escaped as `\u00XX`, plus quotes).
    static func maxQuoted(_ n: Int) -> Int { n * 6 + 2 }
    /// Most bytes an instant takes: a quoted RFC 3339 time, or `"…"` of a year outside 0…9999.
    static let maxInstant = 48

    struct Cursor {
        let base: UnsafeMutablePointer<UInt8>
        private(set) var written = 0
        var dates: DateCache

        init(_ base: UnsafeMutablePointer<UInt8>, dates: DateCache = DateCache()) {
            self.base = base
            self.dates = dates
        }

        @inline(__always) mutating func byte(_ b: UInt8) { base[written] = b; written += 1 }

        @inline(__always) mutating func bytes(_ s: StaticString) {
            guard s.hasPointerRepresentation else {
                // A one-scalar literal is stored as the scalar.
                s.withUTF8Buffer { bytes($0) }
                return
            }
            (base + written).update(from: s.utf8Start, count: s.utf8CodeUnitCount)
            written += s.utf8CodeUnitCount
        }

        @inline(__always) mutating func bytes(_ b: UnsafeBufferPointer<UInt8>) {
            guard let start = b.baseAddress, !b.isEmpty else { return }
            (base + written).update(from: start, count: b.count)
            written += b.count
        }

        /// A JSON string of UTF-8 bytes, escaped where JSON requires it.
        ///
        /// One pass: bytes are copied as they are checked, and only a string that needs escaping
        /// goes the slow way from its first such byte on.
        @inline(__always) mutating func quoted(_ utf8: UnsafeBufferPointer<UInt8>) {
            byte(UInt8(ascii: "\""))
            let out = base + written
            var i = 0
            let n = utf8.count
            while i < n {
                let b = utf8[i]
                if b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { break }
                out[i] = b
                i += 1
            }
            written += i
            if i < n { escaped(UnsafeBufferPointer(rebasing: utf8[i...])) }
            byte(UInt8(ascii: "\""))
        }

        /// The rest of a string from its first byte that JSON must escape.
        private mutating func escaped(_ utf8: UnsafeBufferPointer<UInt8>) {
            let hex: StaticString = "0123456789abcdef"
            for b in utf8 {
                switch b {
                case UInt8(ascii: "\""): bytes(#"\""#)
                case UInt8(ascii: "\\"): bytes(#"\\"#)
                case 0x0A: bytes(#"\n"#)
                case 0x0D: bytes(#"\r"#)
                case 0x09: bytes(#"\t"#)
                case 0..<0x20:
                    bytes(#"\u00"#)
                    byte(hex.utf8Start[Int(b >> 4)])
                    byte(hex.utf8Start[Int(b & 0xF)])
                default: byte(b)
                }
            }
        }

        /// A quoted RFC 3339 UTC time, `"YYYY-MM-DDTHH:MM:SSZ"`.
        @inline(__always) mutating func instant(_ seconds: Int64) {
            let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
            let secOfDay = Int(seconds - days * 86_400)
            if days != dates.days { dates = DateCache(days: days) }
            guard let (y, m, d) = dates.date else {
                outOfRange(seconds)
                return
            }
            byte(UInt8(ascii: "\""))
            pair(y / 100); pair(y % 100); byte(UInt8(ascii: "-")); pair(m); byte(UInt8(ascii: "-")); pair(d)
            byte(UInt8(ascii: "T"))
            let minutes = secOfDay / 60
            pair(minutes / 60); byte(UInt8(ascii: ":")); pair(minutes % 60); byte(UInt8(ascii: ":")); pair(secOfDay - minutes * 60)
            bytes("Z\"")
        }

        /// A time whose year is outside 0...9999, as `Instant` writes it.
        @inline(never) private mutating func outOfRange(_ seconds: Int64) {
            var text = Instant(seconds: seconds).rfc3339
            text.withUTF8 { quoted($0) }
        }

        /// Two decimal digits of `v` (0...99), from a table.
        @inline(__always) private mutating func pair(_ v: Int) {
            let digits: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"
            base[written] = digits.utf8Start[2 * v]
            base[written + 1] = digits.utf8Start[2 * v + 1]
            written += 2
        }
    }

    /// The civil date of the last day written: the rows of a page mostly share their days.
    struct DateCache {
        var days: Int64 = .min
        var date: (Int, Int, Int)? = nil

        init() {}

        /// The civil date of a day since the epoch, or none for a year outside 0...9999.
        @inline(never) init(days: Int64) {
            let (y, m, d) = CivilDate.fromDays(days)
            self.days = days
            date = (0...9999).contains(y) ? (y, m, d) : nil
        }
    }
}
