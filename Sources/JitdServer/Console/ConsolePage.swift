import Foundation
import HTTPTypes
import Hummingbird
import JitdCore
import JitdStore
import Mustache

/// The console's sections, for the navigation bar and who may see each.
enum ConsoleSection: String, CaseIterable, Sendable {
    case units, modules, people, publish, operations

    var label: String {
        switch self {
        case .units: "Units"
        case .modules: "Modules"
        case .people: "People"
        case .publish: "Publishing"
        case .operations: "Operations"
        }
    }

    var href: String {
        switch self {
        case .units: "/"
        case .modules: "/modules"
        case .people: "/people"
        case .publish: "/publish"
        case .operations: "/ops"
        }
    }

    var role: ConsoleRole {
        switch self {
        case .units, .modules, .people: .viewer
        case .publish: .educator
        case .operations: .admin
        }
    }
}

/// Renders console pages: a page's own template inside the layout, as a complete HTML document
/// with headers that keep it private (no caching, no referrer, no framing, nothing loaded from
/// elsewhere: the style sheet is the console's own and charts are inline SVG).
enum ConsolePage {
    struct NavItem { var href: String; var label: String; var current: Bool }
    struct Layout {
        var title: String
        var body: String
        var signedIn: Bool
        var user: String
        var role: String
        var csrf: String
        var canSignOut: Bool
        var nav: [NavItem]
    }

    static let library: MustacheLibrary = {
        var lib = MustacheLibrary()
        for (name, text) in ConsoleTemplates.all {
            do { try lib.register(text, named: name) } catch { preconditionFailure("console template \(name): \(error)") }
        }
        return lib
    }()

    static var headers: HTTPFields {
        [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
         .contentSecurityPolicy: "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
         HTTPField.Name("X-Content-Type-Options")!: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
         HTTPField.Name("X-Frame-Options")!: "DENY"]
    }

    /// The page `template` rendered with `model`, inside the layout.
    static func render(_ template: String, _ model: Any, title: String, identity: ConsoleIdentity?, section: ConsoleSection?,
                       status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        let body = library.render(model, withTemplate: template) ?? ""
        return document(body: body, title: title, identity: identity, section: section, status: status, extraHeaders: extraHeaders)
    }

    static func document(body: String, title: String, identity: ConsoleIdentity?, section: ConsoleSection?,
                         status: HTTPResponse.Status = .ok, extraHeaders: HTTPFields = [:]) -> Response {
        let nav = ConsoleSection.allCases.filter { s in identity?.may(s.role) ?? false }.map {
            NavItem(href: $0.href, label: $0.label, current: $0 == section)
        }
        var canSignOut = false
        if case .session = identity?.source { canSignOut = true }
        let layout = Layout(title: title, body: body, signedIn: identity != nil, user: identity?.user ?? "", role: identity?.role.rawValue ?? "",
                            csrf: identity?.csrf ?? "", canSignOut: canSignOut, nav: nav)
        let html = library.render(layout, withTemplate: "layout") ?? ""
        var h = headers
        for f in extraHeaders { h.append(f) }
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    struct Message { var title: String; var text: String; var signIn: Bool }

    /// A page that only says something (refusals, errors), with the status given.
    static func message(status: HTTPResponse.Status, title: String, text: String, identity: ConsoleIdentity?,
                        extraHeaders: HTTPFields = [:]) -> Response {
        render("message", Message(title: title, text: text, signIn: identity == nil), title: title, identity: identity, section: nil,
               status: status, extraHeaders: extraHeaders)
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }
}

/// Building the console's URLs.
enum ConsolePaths {
    /// A value as one path segment.
    static func segment(_ s: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    static func unitDay(_ unit: String, _ day: String) -> String { "/units/\(segment(unit))/\(day)" }
    static func module(_ id: String) -> String { "/modules/\(segment(id))" }
    static func person(_ staff: String) -> String { "/people/\(segment(staff))" }
}

/// Times as people on a unit read them: in the unit's zone.
enum LocalText {
    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// `14:05`
    static func time(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        return "\(two(l.hour)):\(two(l.minute))"
    }

    /// `2026-11-24`
    static func day(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        return "\(l.year)-\(two(l.month))-\(two(l.day))"
    }

    /// `Tue 24 Nov 2026`
    static func longDay(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        let wd = CivilDate.isoWeekday(days: CivilDate.days(year: l.year, month: l.month, day: l.day))
        return "\(weekdays[wd - 1]) \(l.day) \(months[l.month - 1]) \(l.year)"
    }

    /// `Tue 24 Nov 14:05`
    static func dateTime(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        let wd = CivilDate.isoWeekday(days: CivilDate.days(year: l.year, month: l.month, day: l.day))
        return "\(weekdays[wd - 1]) \(l.day) \(months[l.month - 1]) \(l.year) \(two(l.hour)):\(two(l.minute))"
    }

    /// `2026-11-24T14:05:00-05:00`: local time with its offset (CSV exports).
    static func iso(_ t: Instant, _ zone: Zone) -> String {
        let l = zone.local(t)
        let o = zone.offset(at: t), a = abs(o) / 60
        return "\(l.year)-\(two(l.month))-\(two(l.day))T\(two(l.hour)):\(two(l.minute)):\(two(l.second))\(o < 0 ? "-" : "+")\(two(Int(a / 60))):\(two(Int(a % 60)))"
    }

    /// The zone's abbreviation-free name for a caption: `America/New_York`.
    static func zoneName(_ zone: Zone) -> String { zone.identifier }

    /// Local midnight of `day` (YYYY-MM-DD) and of the day after; `nil` for a malformed day.
    static func dayBounds(_ day: String, _ zone: Zone) -> Interval? {
        let p = day.split(separator: "-")
        guard day.count == 10, p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]),
              CivilDate.isValid(year: y, month: m, day: d), (1900...2999).contains(y) else { return nil }
        let days = CivilDate.days(year: y, month: m, day: d)
        func midnight(_ n: Int64) -> Instant? {
            let (yy, mm, dd) = CivilDate.fromDays(n)
            // A zone that skips midnight (a spring change at 00:00) starts the day at the first instant after.
            for minute in stride(from: 0, through: 120, by: 30) {
                if let t = try? zone.instant(LocalDateTime(year: yy, month: mm, day: dd, hour: minute / 60, minute: minute % 60)) { return t }
            }
            return nil
        }
        guard let a = midnight(days), let b = midnight(days + 1) else { return nil }
        return Interval(start: a, end: b)
    }

    /// The day before and after `day`.
    static func neighbours(_ day: String) -> (String, String)? {
        let p = day.split(separator: "-")
        guard p.count == 3, let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]) else { return nil }
        let n = CivilDate.days(year: y, month: m, day: d)
        func text(_ n: Int64) -> String { let (y, m, d) = CivilDate.fromDays(n); return "\(y)-\(two(m))-\(two(d))" }
        return (text(n - 1), text(n + 1))
    }
}
