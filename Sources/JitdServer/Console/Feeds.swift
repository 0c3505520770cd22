import Foundation
import HTTPTypes
import Hummingbird
import JitdCore
import JitdStore

/// iCalendar feeds (RFC 5545) of a unit's or a person's training, for calendar apps: the last
/// 14 days and the planning horizon, live sessions and completed ones. Each event's UID is the
/// assignment's id, so an app updates a moved or cancelled session in place.
struct Feeds {
    let store: Store
    let api: APIHooks

    func unit(_ unit: String) throws -> Response {
        let now = api.now()
        let rows = try store.assignments(unit: unit, from: now.adding(seconds: -14 * 86_400), to: now.adding(seconds: api.horizonSeconds()), limit: 20_000)
        return calendar(name: "jitd training · \(unit)", rows, now: now)
    }

    func person(_ staff: String) throws -> Response {
        let now = api.now()
        let rows = try store.assignments(staff: staff, from: now.adding(seconds: -14 * 86_400), to: now.adding(seconds: api.horizonSeconds()), limit: 2000)
        return calendar(name: "jitd training · \(staff)", rows, now: now)
    }

    static let shown: Set<AssignmentState> = [.planned, .notified, .acknowledged, .completed, .cancelled]

    func calendar(name: String, _ rows: [StoredAssignment], now: Instant) -> Response {
        let titles = Dictionary(api.modules().map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//jitd//console//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
                     "X-WR-CALNAME:" + Self.text(name), "REFRESH-INTERVAL;VALUE=DURATION:PT15M", "X-PUBLISHED-TTL:PT15M"]
        for r in rows where Self.shown.contains(r.state) {
            let a = r.assignment
            let m = titles[a.moduleID]
            lines += ["BEGIN:VEVENT", "UID:\(Self.text(a.id))@jitd", "DTSTAMP:\(Self.utc(r.updatedAt))", "DTSTART:\(Self.utc(a.interval.start))",
                      "DTEND:\(Self.utc(a.interval.end))", "SUMMARY:" + Self.text("Training: \(m?.title ?? a.moduleID)"),
                      "LOCATION:" + Self.text(a.unit),
                      "DESCRIPTION:" + Self.text("\(a.staffID), \(a.role) on \(a.unit): \(m?.title ?? a.moduleID) (\(m?.minutes ?? 0) min), \(r.state.rawValue).")]
            if let url = m?.url { lines.append("URL:" + Self.text(url)) }
            lines.append("STATUS:" + (r.state == .cancelled ? "CANCELLED" : r.state == .planned ? "TENTATIVE" : "CONFIRMED"))
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        let body = lines.flatMap(Self.folded).joined(separator: "\r\n") + "\r\n"
        return Response(status: .ok, headers: [.contentType: "text/calendar; charset=utf-8", .cacheControl: "no-store",
                                               HTTPField.Name("Referrer-Policy")!: "no-referrer"],
                        body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    static func utc(_ t: Instant) -> String {
        t.rfc3339.replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
    }

    /// TEXT value escaping (RFC 5545 3.3.11).
    static func text(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": continue
            default: out.append(c)
            }
        }
        return out
    }

    /// Lines longer than 75 octets folded with CRLF and a space, never inside a UTF-8 sequence.
    static func folded(_ line: String) -> [String] {
        var out: [String] = []
        var current = ""
        var size = 0
        for c in line {
            let n = String(c).utf8.count
            if size + n > (out.isEmpty ? 75 : 74) {
                out.append(out.isEmpty ? current : " " + current)
                current = ""
                size = 0
            }
            current.append(c)
            size += n
        }
        out.append(out.isEmpty ? current : " " + current)
        return out
    }
}
