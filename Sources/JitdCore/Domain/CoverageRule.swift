/// A minimum headcount of a role on a unit, optionally only in a local daily window and on some weekdays.
public struct CoverageRule: Hashable, Sendable {
    /// A unit name, or `*` for every unit.
    public var unit: String
    public var role: String
    public var min: Int
    /// Local minutes after midnight; `to <= from` wraps past midnight. `nil` means all day.
    public var window: (from: Int, to: Int)? {
        get { windowFrom.map { ($0, windowTo ?? $0) } }
        set { windowFrom = newValue?.from; windowTo = newValue?.to }
    }
    private var windowFrom: Int?
    private var windowTo: Int?
    /// ISO weekdays (1 = Monday) on which the window starts; `nil` means every day.
    public var days: Set<Int>?

    public init(unit: String, role: String, min: Int, window: (from: Int, to: Int)? = nil, days: Set<Int>? = nil) {
        self.unit = unit
        self.role = role
        self.min = min
        self.days = days
        self.window = window
    }

    /// Whether the rule binds the headcount of `r` on `u`. A rule of role `*` counts everyone on
    /// the unit whatever their role: it binds the unit's `*` headcount, not each role's.
    public func applies(toUnit u: String, role r: String) -> Bool {
        (unit == "*" || unit == u) && role == r
    }

    /// The role that counts everyone on a unit.
    public static let anyRole = "*"

    /// Whether the rule is in force at any moment from `a` to `b` (local wall-clock times, `a`
    /// before `b`, less than a day apart): at either end, or because its window starts between
    /// them (a window shorter than the span, strictly inside it).
    public func isActive(anyMomentFrom a: LocalDateTime, through b: LocalDateTime) -> Bool {
        if isActive(at: a) || isActive(at: b) { return true }
        guard let (from, _) = window else { return false }
        for day in [a, b] {
            let start = LocalDateTime(year: day.year, month: day.month, day: day.day, hour: from / 60, minute: from % 60, second: 0)
            if start.naiveSeconds > a.naiveSeconds && start.naiveSeconds <= b.naiveSeconds && isActive(at: start) { return true }
        }
        return false
    }

    /// Whether the rule is in force at a local wall-clock time.
    ///
    /// For a window that wraps past midnight, the part after midnight belongs to the
    /// previous day's window, so `days` is checked against the day the window started.
    public func isActive(at local: LocalDateTime) -> Bool {
        let minute = local.hour * 60 + local.minute
        let day = CivilDate.isoWeekday(days: CivilDate.days(year: local.year, month: local.month, day: local.day))
        guard let (from, to) = window else { return days?.contains(day) ?? true }
        if from < to {
            return (from..<to).contains(minute) && (days?.contains(day) ?? true)
        }
        if minute >= from { return days?.contains(day) ?? true }
        if minute < to { return days?.contains(day == 1 ? 7 : day - 1) ?? true }
        return false
    }
}
