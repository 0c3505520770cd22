import Foundation
import JitdCore

/// Charts drawn by the server as inline SVG: no script, no external asset. Each has a title and
/// a description for screen readers; the numbers behind it are also in a table on its page.
enum SVGText {
    /// Text escaped for SVG (XML) content and attributes.
    static func escaped(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A coordinate with one decimal (charts call this thousands of times a page; `String(format:)` is slow).
    static func f(_ x: Double) -> String {
        let tenths = Int((x * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let a = abs(tenths)
        return "\(sign)\(a / 10).\(a % 10)"
    }
}

/// One role's day on a unit: headcount on shift against the coverage minimum, slot by slot, with
/// the windows below the minimum, the slack nobody used, and the training sessions in lanes
/// beneath.
struct StaffingChart {
    struct Session {
        var interval: Interval
        var label: String
        var detail: String
        var state: String
    }

    var id: String
    var title: String
    var day: Interval
    var step: Int64
    var zone: Zone
    var headcount: [Int]
    var minimum: [Int]
    var training: [Int]
    var sessions: [Session]
    var now: Instant?

    static let width = 1000.0, left = 44.0, right = 12.0, top = 10.0, plotHeight = 130.0, laneHeight = 22.0
    static let maxLanes = 8

    static func colour(_ state: String) -> String {
        switch state {
        case "planned": "#5b3f86"
        case "notified": "#0b5394"
        case "acknowledged": "#00695c"
        case "completed": "#1e6b24"
        default: "#5f5f5f"
        }
    }

    func svg(description: String) -> String {
        let n = max(headcount.count, 1)
        let plotWidth = Self.width - Self.left - Self.right
        let peak = max(headcount.max() ?? 0, minimum.max() ?? 0, 1)
        let tick = peak <= 5 ? 1 : peak <= 10 ? 2 : peak <= 25 ? 5 : peak <= 50 ? 10 : 25
        let yMax = Double(((peak + tick - 1) / tick) * tick)
        func x(_ i: Int) -> Double { Self.left + Double(i) / Double(n) * plotWidth }
        func xt(_ t: Instant) -> Double {
            let frac = Double(t.seconds - day.start.seconds) / Double(max(1, day.end.seconds - day.start.seconds))
            return Self.left + min(1, max(0, frac)) * plotWidth
        }
        func y(_ v: Int) -> Double { Self.top + Self.plotHeight - Double(v) / yMax * Self.plotHeight }
        // Lanes: each session in the first lane free at its start.
        // At most `maxLanes` lanes; sessions that find none are counted in the "in training" area
        // of the chart and listed in the page's table.
        var laneEnds: [Instant] = []
        var placed: [(Session, Int)] = []
        var unplaced = 0
        for s in sessions.sorted(by: { ($0.interval.start, $0.label) < ($1.interval.start, $1.label) }) {
            if let lane = laneEnds.firstIndex(where: { $0 <= s.interval.start }) {
                laneEnds[lane] = s.interval.end
                placed.append((s, lane))
            } else if laneEnds.count < Self.maxLanes {
                laneEnds.append(s.interval.end)
                placed.append((s, laneEnds.count - 1))
            } else {
                unplaced += 1
            }
        }
        let axisY = Self.top + Self.plotHeight
        let lanesTop = axisY + 26
        let height = lanesTop + Double(max(laneEnds.count, 0)) * Self.laneHeight + (unplaced > 0 ? 22 : 6)
        var o = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height.rounded(.up)))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" xmlns=\"http://www.w3.org/2000/svg\">"
        o += "<title id=\"\(id)-t\">\(SVGText.escaped(title))</title><desc id=\"\(id)-d\">\(SVGText.escaped(description))</desc>"
        // Grid and y labels.
        var v = 0
        while Double(v) <= yMax {
            o += "<line x1=\"\(SVGText.f(Self.left))\" x2=\"\(SVGText.f(Self.width - Self.right))\" y1=\"\(SVGText.f(y(v)))\" y2=\"\(SVGText.f(y(v)))\" stroke=\"#e2e2e2\"/>"
            o += "<text x=\"\(SVGText.f(Self.left - 6))\" y=\"\(SVGText.f(y(v) + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#4a4a4a\">\(v)</text>"
            v += tick
        }
        // Runs of equal values, drawn as one rectangle each.
        func runs(_ value: (Int) -> (Int, Int)?, _ fill: String, _ what: String) {
            var i = 0
            while i < n {
                guard let (lo, hi) = value(i) else { i += 1; continue }
                var j = i + 1
                while j < n, let next = value(j), next == (lo, hi) { j += 1 }
                o += "<rect x=\"\(SVGText.f(x(i)))\" y=\"\(SVGText.f(y(hi)))\" width=\"\(SVGText.f(x(j) - x(i)))\" height=\"\(SVGText.f(y(lo) - y(hi)))\" fill=\"\(fill)\">"
                o += "<title>\(what) \(LocalText.time(day.start.adding(seconds: Int64(i) * step), zone))–\(LocalText.time(day.start.adding(seconds: Int64(j) * step), zone))</title></rect>"
                i = j
            }
        }
        let count = min(headcount.count, minimum.count, training.count)
        // On shift, as an area.
        runs({ i in i < count && headcount[i] > 0 ? (0, headcount[i]) : nil }, "#cfe0f3", "on shift")
        // Slack nobody used: between the minimum and those on shift less those training.
        runs({ i in
            guard i < count else { return nil }
            let free = headcount[i] - training[i]
            return free > minimum[i] ? (max(minimum[i], 0), free) : nil
        }, "#b9e0bd", "unused slack")
        // Those in training: the top of the on-shift area.
        runs({ i in i < count && training[i] > 0 ? (headcount[i] - training[i], headcount[i]) : nil }, "#5b3f86", "in training")
        // Below the minimum before anyone trains: the whole height.
        runs({ i in i < count && headcount[i] < minimum[i] ? (0, Int(yMax)) : nil }, "#f4c0c6", "below minimum")
        // Minimum (dashed) and headcount (solid) as step lines.
        func steps(_ values: [Int]) -> String {
            var d = ""
            for i in 0..<count {
                let yy = SVGText.f(y(values[i]))
                d += i == 0 ? "M\(SVGText.f(x(0))) \(yy)" : "V\(yy)"
                d += "H\(SVGText.f(x(i + 1)))"
            }
            return d
        }
        if count > 0 {
            o += "<path d=\"\(steps(minimum))\" fill=\"none\" stroke=\"#a00018\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
            o += "<path d=\"\(steps(headcount))\" fill=\"none\" stroke=\"#0b5394\" stroke-width=\"2\"/>"
        }
        // Hours along the bottom: every two local hours.
        o += "<line x1=\"\(SVGText.f(Self.left))\" x2=\"\(SVGText.f(Self.width - Self.right))\" y1=\"\(SVGText.f(axisY))\" y2=\"\(SVGText.f(axisY))\" stroke=\"#4a4a4a\"/>"
        for i in 0...n {
            let t = day.start.adding(seconds: Int64(i) * step)
            let l = zone.local(t)
            guard l.minute == 0, l.hour % 2 == 0, i < n || l.hour == 0 else { continue }
            o += "<line x1=\"\(SVGText.f(x(i)))\" x2=\"\(SVGText.f(x(i)))\" y1=\"\(SVGText.f(axisY))\" y2=\"\(SVGText.f(axisY + 4))\" stroke=\"#4a4a4a\"/>"
            let anchor = i == 0 ? "start" : i == n ? "end" : "middle"
            o += "<text x=\"\(SVGText.f(x(i)))\" y=\"\(SVGText.f(axisY + 17))\" font-size=\"12\" text-anchor=\"\(anchor)\" fill=\"#4a4a4a\">\(LocalText.two(l.hour)):00</text>"
        }
        if let now, day.contains(now) {
            o += "<line x1=\"\(SVGText.f(xt(now)))\" x2=\"\(SVGText.f(xt(now)))\" y1=\"\(SVGText.f(Self.top))\" y2=\"\(SVGText.f(height - 4))\" stroke=\"#e08a00\" stroke-width=\"2\"><title>now</title></line>"
        }
        // Sessions in lanes.
        for (s, lane) in placed {
            let x0 = xt(s.interval.start), x1 = max(xt(s.interval.end), x0 + 3)
            let yy = lanesTop + Double(lane) * Self.laneHeight
            o += "<g><title>\(SVGText.escaped(s.detail))</title>"
            o += "<rect x=\"\(SVGText.f(x0))\" y=\"\(SVGText.f(yy))\" width=\"\(SVGText.f(x1 - x0))\" height=\"\(SVGText.f(Self.laneHeight - 4))\" rx=\"2\" fill=\"\(Self.colour(s.state))\"/>"
            let room = Int((x1 - x0 - 6) / 6.6)
            if room >= 3 {
                let text = s.label.count <= room ? s.label : String(s.label.prefix(max(room - 1, 1))) + "…"
                o += "<text x=\"\(SVGText.f(x0 + 3))\" y=\"\(SVGText.f(yy + 13))\" font-size=\"11\" fill=\"#ffffff\">\(SVGText.escaped(text))</text>"
            }
            o += "</g>"
        }
        if unplaced > 0 {
            o += "<text x=\"\(SVGText.f(Self.left))\" y=\"\(SVGText.f(height - 6))\" font-size=\"12\" fill=\"#4a4a4a\">and \(unplaced) more sessions at busy times (in the table below)</text>"
        }
        return o + "</svg>"
    }
}

/// A module's burn-up: the share of eligible staff trained over time, as completions brought it
/// so far, then as the plan and as the roster's lower bound project it, with the 50/90/100 %
/// dates marked.
struct BurnUpChart {
    struct Series { var points: [(Instant, Double)]; var colour: String; var dash: Bool; var label: String }

    var id: String
    var from: Instant
    var to: Instant
    var now: Instant
    var zone: Zone
    var history: [(Instant, Double)]
    var planned: [(Instant, Double)]
    var bound: [(Instant, Double)]
    var marks: [(percent: Int, planned: Instant?, bound: Instant?)]

    static let width = 1000.0, left = 48.0, right = 16.0, top = 14.0, plotHeight = 240.0

    func svg(description: String) -> String {
        let plotWidth = Self.width - Self.left - Self.right
        let span = Double(max(1, to.seconds - from.seconds))
        func x(_ t: Instant) -> Double { Self.left + min(1, max(0, Double(t.seconds - from.seconds) / span)) * plotWidth }
        func y(_ share: Double) -> Double { Self.top + Self.plotHeight * (1 - min(1, max(0, share))) }
        let axisY = Self.top + Self.plotHeight
        let height = axisY + 60
        var o = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(height))\" role=\"img\" aria-labelledby=\"\(id)-t \(id)-d\" xmlns=\"http://www.w3.org/2000/svg\">"
        o += "<title id=\"\(id)-t\">Burn-up: share of eligible staff trained</title><desc id=\"\(id)-d\">\(SVGText.escaped(description))</desc>"
        for p in [0, 25, 50, 75, 90, 100] {
            let strong = p == 50 || p == 90 || p == 100
            o += "<line x1=\"\(SVGText.f(Self.left))\" x2=\"\(SVGText.f(Self.width - Self.right))\" y1=\"\(SVGText.f(y(Double(p) / 100)))\" y2=\"\(SVGText.f(y(Double(p) / 100)))\" stroke=\"\(strong ? "#b8b8b8" : "#e6e6e6")\"/>"
            o += "<text x=\"\(SVGText.f(Self.left - 6))\" y=\"\(SVGText.f(y(Double(p) / 100) + 4))\" font-size=\"12\" text-anchor=\"end\" fill=\"#4a4a4a\">\(p) %</text>"
        }
        o += "<line x1=\"\(SVGText.f(Self.left))\" x2=\"\(SVGText.f(Self.width - Self.right))\" y1=\"\(SVGText.f(axisY))\" y2=\"\(SVGText.f(axisY))\" stroke=\"#4a4a4a\"/>"
        // Days along the bottom, at local midnights, thinned to fit.
        let days = Int(span / 86_400) + 1
        let every = max(1, Int((Double(days) / 12).rounded(.up)))
        var t = LocalText.dayBounds(LocalText.day(from, zone), zone)?.end ?? from
        var k = 0
        while t < to {
            if k % every == 0 {
                o += "<line x1=\"\(SVGText.f(x(t)))\" x2=\"\(SVGText.f(x(t)))\" y1=\"\(SVGText.f(axisY))\" y2=\"\(SVGText.f(axisY + 4))\" stroke=\"#4a4a4a\"/>"
                let l = zone.local(t)
                o += "<text x=\"\(SVGText.f(x(t)))\" y=\"\(SVGText.f(axisY + 17))\" font-size=\"12\" text-anchor=\"middle\" fill=\"#4a4a4a\">\(l.day) \(LocalText.months[l.month - 1])</text>"
            }
            k += 1
            t = LocalText.dayBounds(LocalText.day(t, zone), zone)?.end ?? t.adding(seconds: 86_400)
        }
        o += "<line x1=\"\(SVGText.f(x(now)))\" x2=\"\(SVGText.f(x(now)))\" y1=\"\(SVGText.f(Self.top))\" y2=\"\(SVGText.f(axisY))\" stroke=\"#e08a00\" stroke-width=\"2\"/>"
        o += "<text x=\"\(SVGText.f(x(now) + 4))\" y=\"\(SVGText.f(Self.top + 12))\" font-size=\"12\" fill=\"#8a4b00\">now</text>"
        func path(_ pts: [(Instant, Double)], _ colour: String, dash: Bool) {
            guard let first = pts.first else { return }
            var d = "M\(SVGText.f(x(first.0))) \(SVGText.f(y(first.1)))"
            for (i, p) in pts.enumerated() where i > 0 { d += "H\(SVGText.f(x(p.0)))V\(SVGText.f(y(p.1)))" }
            d += "H\(SVGText.f(x(to)))"
            o += "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.5\"\(dash ? " stroke-dasharray=\"7 4\"" : "")/>"
        }
        path(bound, "#5f5f5f", dash: true)
        path(planned, "#5b3f86", dash: false)
        path(history, "#1e6b24", dash: false)
        for m in marks {
            for (at, colour, label) in [(m.bound, "#5f5f5f", "bound"), (m.planned, "#5b3f86", "plan")] {
                guard let at, at <= to else { continue }
                let cx = x(at), cy = y(Double(m.percent) / 100)
                o += "<circle cx=\"\(SVGText.f(cx))\" cy=\"\(SVGText.f(cy))\" r=\"4.5\" fill=\"\(colour)\"><title>\(m.percent) % by the \(label): \(SVGText.escaped(LocalText.dateTime(at, zone)))</title></circle>"
            }
        }
        // Legend under the axis.
        let ly = axisY + 42
        var lx = Self.left
        for (label, colour, dash) in [("trained so far", "#1e6b24", false), ("as planned", "#5b3f86", false), ("roster's lower bound", "#5f5f5f", true)] {
            o += "<line x1=\"\(SVGText.f(lx))\" x2=\"\(SVGText.f(lx + 28))\" y1=\"\(SVGText.f(ly - 4))\" y2=\"\(SVGText.f(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2.5\"\(dash ? " stroke-dasharray=\"7 4\"" : "")/>"
            o += "<text x=\"\(SVGText.f(lx + 34))\" y=\"\(SVGText.f(ly))\" font-size=\"13\" fill=\"#1a1a1a\">\(label)</text>"
            lx += 34 + Double(label.count) * 7.5 + 24
        }
        return o + "</svg>"
    }
}
