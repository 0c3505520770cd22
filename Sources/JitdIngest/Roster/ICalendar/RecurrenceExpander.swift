import JitdCore

/// Enumerates the starts an ``RecurrenceRule`` produces, on DTSTART's wall clock, in ascending order.
///
/// Times are naive seconds (``LocalDateTime/naiveSeconds``): recurrence is computed on the wall
/// clock so that a 19:00 shift stays at 19:00 across a DST change; converting to instants is the
/// caller's job. The algorithm is the one of RFC 5545 §3.3.10 as python-dateutil implements it:
/// walk the periods of FREQ×INTERVAL, keep the days that pass every BYxxx day filter, combine
/// them with the times, apply BYSETPOS per period, then UNTIL and COUNT.
struct RecurrenceExpander {
    /// Work units (days and candidates looked at) one expansion may spend before giving up.
    static let defaultBudget = 4_000_000

    let rule: RecurrenceRule
    let start: Int64
    private let startDay: Int64
    private let months: Set<Int>
    private let monthDays: Set<Int>
    private let yearDays: Set<Int>
    private let weekNos: Set<Int>
    private let weekdays: Set<Int>
    private let nthWeekdays: [RecurrenceRule.WeekdayNum]
    /// Hours, minutes and seconds of a candidate; empty means any (only for the sub-daily frequencies).
    private let hours: [Int], minutes: [Int], seconds: [Int]

    init(rule: RecurrenceRule, start local: LocalDateTime) {
        self.rule = rule
        start = local.naiveSeconds
        startDay = icalFloorDiv(start, 86_400)
        let f = rule.frequency
        var months = Set(rule.byMonth), monthDays = Set(rule.byMonthDay), weekdays = Set<Int>()
        // RFC 5545 §3.3.10: a rule without day parts repeats DTSTART's day in its period.
        if rule.byWeekNo.isEmpty, rule.byYearDay.isEmpty, rule.byMonthDay.isEmpty, rule.byDay.isEmpty {
            switch f {
            case .yearly:
                if months.isEmpty { months = [local.month] }
                monthDays = [local.day]
            case .monthly: monthDays = [local.day]
            case .weekly: weekdays = [CivilDate.isoWeekday(days: icalFloorDiv(start, 86_400))]
            default: break
            }
        }
        weekdays.formUnion(rule.byDay.filter { $0.ordinal == nil }.map(\.weekday))
        self.months = months
        self.monthDays = monthDays
        self.weekdays = weekdays
        yearDays = Set(rule.byYearDay)
        weekNos = Set(rule.byWeekNo)
        nthWeekdays = rule.byDay.filter { $0.ordinal != nil }
        hours = rule.byHour.isEmpty && f >= .daily ? [local.hour] : rule.byHour
        minutes = rule.byMinute.isEmpty && f >= .hourly ? [local.minute] : rule.byMinute
        seconds = rule.bySecond.isEmpty && f >= .minutely ? [local.second] : rule.bySecond
    }

    /// Starts from DTSTART up to `upper` (inclusive), honouring COUNT and `beyondUntil`.
    ///
    /// Without COUNT, whole periods before `lower` are skipped, so a rule with no end costs only
    /// the window it is asked about; with COUNT every instance from DTSTART must be counted.
    /// Throws when the rule would need more than `budget` work units.
    func occurrences(upTo upper: Int64, from lower: Int64?, beyondUntil: (Int64) -> Bool,
                     budget: inout Int) throws(ICalValueError) -> [Int64] {
        var out: [Int64] = []
        var remaining = rule.count
        func offer(_ batch: [Int64]) -> Bool {
            for t in batch {
                if beyondUntil(t) || t > upper { return false }
                if t < start { continue }
                if let r = remaining { remaining = r - 1 }
                out.append(t)
                if remaining == 0 { return false }
            }
            return true
        }
        let skipTo = rule.count == nil ? lower : nil
        if rule.frequency >= .daily {
            try walkPeriods(from: firstPeriod(skippingTo: skipTo), upper: upper, budget: &budget, offer: offer)
        } else {
            let firstDay = max(startDay, skipTo.map { icalFloorDiv($0, 86_400) } ?? startDay)
            try walkSubDaily(fromDay: firstDay, upper: upper, budget: &budget, offer: offer)
        }
        return out
    }

    // MARK: Daily and longer periods

    private func walkPeriods(from first: Int64, upper: Int64, budget: inout Int,
                             offer: ([Int64]) -> Bool) throws(ICalValueError) {
        let times = timeOfDaySet()
        var k = first
        while true {
            let days = periodDays(k)
            guard let firstDay = days.first, firstDay * 86_400 <= upper else { return }
            budget -= days.count + 1
            guard budget >= 0 else { throw tooLarge() }
            var batch: [Int64] = []
            for day in days where dayMatches(day) {
                for t in times { batch.append(day * 86_400 + t) }
            }
            budget -= batch.count
            if !offer(rule.bySetPos.isEmpty ? batch : pickSetPositions(batch)) { return }
            k += 1
        }
    }

    /// The index of the period to start at: 0 is DTSTART's period, each step is INTERVAL periods on.
    private func firstPeriod(skippingTo lower: Int64?) -> Int64 {
        guard let lower, lower > start else { return 0 }
        let step = Int64(rule.interval)
        let lowerDay = icalFloorDiv(lower, 86_400)
        let (ly, lm, _) = CivilDate.fromDays(lowerDay)
        let (sy, sm, _) = CivilDate.fromDays(startDay)
        let distance: Int64
        switch rule.frequency {
        case .yearly: distance = Int64(ly - sy)
        case .monthly: distance = Int64((ly - sy) * 12 + (lm - sm))
        case .weekly: distance = icalFloorDiv(lowerDay - weekStart(of: startDay), 7)
        default: distance = lowerDay - startDay
        }
        return max(0, icalFloorDiv(distance, step))
    }

    private func periodDays(_ k: Int64) -> [Int64] {
        let n = k * Int64(rule.interval)
        let (sy, sm, _) = CivilDate.fromDays(startDay)
        switch rule.frequency {
        case .yearly:
            let y = sy + Int(n)
            // Days outside BYMONTH never match, so a rule such as a VTIMEZONE's walks only its months.
            guard !months.isEmpty else {
                return Array(CivilDate.days(year: y, month: 1, day: 1)..<CivilDate.days(year: y + 1, month: 1, day: 1))
            }
            return months.sorted().flatMap { m in
                let first = CivilDate.days(year: y, month: m, day: 1)
                return Array(first..<first + Int64(Self.monthLength(y, m)))
            }
        case .monthly:
            let index = Int64(sy) * 12 + Int64(sm - 1) + n
            let y = Int(icalFloorDiv(index, 12)), m = Int(index - Int64(y) * 12) + 1
            let first = CivilDate.days(year: y, month: m, day: 1)
            return Array(first..<first + Int64(Self.monthLength(y, m)))
        case .weekly:
            let first = weekStart(of: startDay) + 7 * n
            return Array(first..<first + 7)
        default:
            return [startDay + n]
        }
    }

    /// Seconds of the day of every BYHOUR × BYMINUTE × BYSECOND combination, ascending.
    private func timeOfDaySet() -> [Int64] {
        var result: [Int64] = []
        for h in hours { for m in minutes { for s in seconds { result.append(Int64(h * 3600 + m * 60 + s)) } } }
        return result.sorted()
    }

    // MARK: Hourly, minutely and secondly

    /// Sub-daily rules are walked a day at a time: the day filters apply to the day, and the periods
    /// of the day are the points of the INTERVAL lattice anchored at DTSTART.
    private func walkSubDaily(fromDay: Int64, upper: Int64, budget: inout Int,
                              offer: ([Int64]) -> Bool) throws(ICalValueError) {
        var day = fromDay
        while day * 86_400 <= upper {
            budget -= 1
            guard budget >= 0 else { throw tooLarge() }
            if dayMatches(day) {
                for period in try periodStarts(of: day, budget: &budget) {
                    let batch = candidates(inPeriodStartingAt: period)
                    if !offer(rule.bySetPos.isEmpty ? batch : pickSetPositions(batch)) { return }
                }
            }
            day += 1
        }
    }

    private var unit: Int64 {
        switch rule.frequency {
        case .hourly: 3600
        case .minutely: 60
        default: 1
        }
    }

    /// The starts of this day's periods that pass the BYHOUR/BYMINUTE/BYSECOND filters of the frequency.
    ///
    /// Walks whichever is shorter: the lattice points of the day, or the filter combinations.
    private func periodStarts(of day: Int64, budget: inout Int) throws(ICalValueError) -> [Int64] {
        let step = unit * Int64(rule.interval)
        let origin = icalFloorDiv(start, unit) * unit
        let dayStart = day * 86_400
        let combinations = filterCombinations()
        let latticePoints = 86_400 / step + 1
        budget -= Int(min(latticePoints, Int64(combinations?.count ?? Int.max)))
        guard budget >= 0 else { throw tooLarge() }
        if let combinations, combinations.count < latticePoints {
            return combinations.map { dayStart + $0 }.filter { ($0 - origin) % step == 0 && $0 >= origin }
        }
        var result: [Int64] = []
        var p = max(origin, origin + ceilDiv(dayStart - origin, step) * step)
        while p < dayStart + 86_400 {
            if passesTimeFilters(p - dayStart) { result.append(p) }
            p += step
        }
        return result
    }

    /// Seconds of the day at the frequency's resolution allowed by the filters, or nil when a filter is absent.
    private func filterCombinations() -> [Int64]? {
        guard !hours.isEmpty else { return nil }
        switch rule.frequency {
        case .hourly: return hours.map { Int64($0 * 3600) }
        case .minutely:
            guard !minutes.isEmpty else { return nil }
            return hours.flatMap { h in minutes.map { Int64(h * 3600 + $0 * 60) } }
        default:
            guard !minutes.isEmpty, !seconds.isEmpty else { return nil }
            return hours.flatMap { h in minutes.flatMap { m in seconds.map { Int64(h * 3600 + m * 60 + $0) } } }
        }
    }

    private func passesTimeFilters(_ secondOfDay: Int64) -> Bool {
        let h = Int(secondOfDay / 3600), m = Int(secondOfDay / 60 % 60), s = Int(secondOfDay % 60)
        if !hours.isEmpty, !hours.contains(h) { return false }
        if rule.frequency <= .minutely, !minutes.isEmpty, !minutes.contains(m) { return false }
        if rule.frequency == .secondly, !seconds.isEmpty, !seconds.contains(s) { return false }
        return true
    }

    /// An hourly period expands into BYMINUTE × BYSECOND, a minutely one into BYSECOND.
    private func candidates(inPeriodStartingAt p: Int64) -> [Int64] {
        switch rule.frequency {
        case .hourly: minutes.flatMap { m in seconds.map { p + Int64(m * 60 + $0) } }
        case .minutely: seconds.map { p + Int64($0) }
        default: [p]
        }
    }

    // MARK: Day filters

    /// Whether a day passes BYMONTH, BYWEEKNO, BYYEARDAY, BYMONTHDAY and BYDAY (all must hold).
    private func dayMatches(_ day: Int64) -> Bool {
        let (y, m, d) = CivilDate.fromDays(day)
        if !months.isEmpty, !months.contains(m) { return false }
        if !weekNos.isEmpty, !weekNumberMatches(day) { return false }
        if !yearDays.isEmpty {
            let dayOfYear = Int(day - CivilDate.days(year: y, month: 1, day: 1)) + 1
            if !yearDays.contains(dayOfYear), !yearDays.contains(dayOfYear - Self.yearLength(y) - 1) { return false }
        }
        if !monthDays.isEmpty, !monthDays.contains(d), !monthDays.contains(d - Self.monthLength(y, m) - 1) { return false }
        if !weekdays.isEmpty || !nthWeekdays.isEmpty {
            let wd = CivilDate.isoWeekday(days: day)
            if !weekdays.contains(wd), !nthWeekdays.contains(where: { $0.weekday == wd && isNth($0.ordinal ?? 0, day, y, m) }) {
                return false
            }
        }
        return true
    }

    /// Whether `day` is the n-th of its weekday in its month (MONTHLY, or YEARLY with BYMONTH) or year.
    private func isNth(_ n: Int, _ day: Int64, _ y: Int, _ m: Int) -> Bool {
        let inMonth = rule.frequency == .monthly || !rule.byMonth.isEmpty
        let first = inMonth ? CivilDate.days(year: y, month: m, day: 1) : CivilDate.days(year: y, month: 1, day: 1)
        let length = inMonth ? Self.monthLength(y, m) : Self.yearLength(y)
        let index = Int(day - first)
        return n > 0 ? index / 7 + 1 == n : (length - 1 - index) / 7 + 1 == -n
    }

    /// Week numbers per RFC 5545: weeks start on WKST, week 1 is the first with at least four days of the year.
    private func weekNumberMatches(_ day: Int64) -> Bool {
        let (y, _, _) = CivilDate.fromDays(day)
        var weekYear = y
        if day < firstWeekStart(y) { weekYear = y - 1 } else if day >= firstWeekStart(y + 1) { weekYear = y + 1 }
        let first = firstWeekStart(weekYear)
        let number = Int((day - first) / 7) + 1
        let weeksInYear = Int((firstWeekStart(weekYear + 1) - first) / 7)
        return weekNos.contains(number) || weekNos.contains(number - weeksInYear - 1)
    }

    private func firstWeekStart(_ year: Int) -> Int64 {
        let jan1 = CivilDate.days(year: year, month: 1, day: 1)
        let intoWeek = Int64((CivilDate.isoWeekday(days: jan1) - rule.weekStart + 7) % 7)
        return intoWeek <= 3 ? jan1 - intoWeek : jan1 + 7 - intoWeek
    }

    private func weekStart(of day: Int64) -> Int64 {
        day - Int64((CivilDate.isoWeekday(days: day) - rule.weekStart + 7) % 7)
    }

    // MARK: Helpers

    /// BYSETPOS: the n-th (or n-th from last) of a period's candidates, ascending, without repeats.
    private func pickSetPositions(_ batch: [Int64]) -> [Int64] {
        var picked = Set<Int64>()
        for pos in rule.bySetPos {
            let i = pos > 0 ? pos - 1 : batch.count + pos
            if batch.indices.contains(i) { picked.insert(batch[i]) }
        }
        return picked.sorted()
    }

    private func tooLarge() -> ICalValueError {
        ICalValueError("RRULE FREQ=\(rule.frequency.name) produces too many instances to expand; "
            + "use a coarser FREQ, a larger INTERVAL, BYxxx filters, or a DTSTART closer to the planning window")
    }

    private func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { -icalFloorDiv(-a, b) }

    static func monthLength(_ y: Int, _ m: Int) -> Int {
        let next = m == 12 ? CivilDate.days(year: y + 1, month: 1, day: 1) : CivilDate.days(year: y, month: m + 1, day: 1)
        return Int(next - CivilDate.days(year: y, month: m, day: 1))
    }

    static func yearLength(_ y: Int) -> Int {
        Int(CivilDate.days(year: y + 1, month: 1, day: 1) - CivilDate.days(year: y, month: 1, day: 1))
    }
}
