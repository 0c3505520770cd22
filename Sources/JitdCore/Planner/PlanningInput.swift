/// Everything the planner reads: a snapshot of values, no I/O.
public struct PlanningInput: Sendable {
    public var now: Instant
    public var policy: Policy
    public var siteZone: Zone
    /// Per-unit zones that differ from the site's.
    public var unitZones: [String: Zone]
    /// Shifts and busy blocks.
    public var shifts: [Shift]
    public var coverage: [CoverageRule]
    public var modules: [Module]
    public var completions: [Completion]
    /// Assignments people have already been told about (or whose message is on its way); kept
    /// unless they became impossible.
    public var committed: [Assignment]
    /// Sessions that count toward their shift's caps and toward spacing whatever becomes of
    /// them: those that ended, were completed or were missed (SPEC: caps count every session of
    /// the shift, whatever its state and whether it has ended). Never moved or cancelled.
    public var booked: [Assignment] = []
    /// Sessions a person was told of and that were then cancelled, with no `assignment.cancelled`
    /// delivered to any endpoint before their start: the person may not know and may still go.
    /// Until the cancellation is heard (for ever, once the session has started) they count toward
    /// caps and spacing like `booked`, hold their unit's slack and their class seat, and their
    /// need is not placed again.
    public var unheardCancellations: [Assignment] = []
    /// Ids of assignments that were cancelled, declined, expired or missed: a new placement of
    /// the same person, module and start gets a fresh id, so it is told as news, not taken for
    /// the old one.
    public var retiredIDs: Set<String> = []
    /// When each person first appeared on a roster; due dates of modules published before run from here.
    public var staffFirstSeen: [String: Instant] = [:]
    /// Units whose `[[unit]]` table overrides some `[policy]` keys: the whole policy in force there.
    /// Only the per-shift keys (buffer, caps, spacing, notification lead) are read from it; the
    /// grid, the horizon and the re-plan interval are the site's.
    public var unitPolicies: [String: Policy] = [:]
    /// The last plan's placements that nobody has been told of yet (the daemon's `planned`
    /// assignments that are not commitments). Not promises: the planner may move or drop any of
    /// them, but it starts from them and, among plans of equal weight, keeps as many as it can,
    /// so that a re-plan a few minutes later does not reshuffle the future. Empty for an offline
    /// plan, whose output then does not depend on it.
    public var previous: [Assignment] = []
    /// The `group_min`…`group_max` each drill team (by group id) was scheduled under, for teams
    /// with members in `committed` or `previous`: their messages carry the catalog of that time,
    /// so a team keeps within those bounds as well as within its module's bounds now (a team of 3
    /// told under a minimum of 3 is cancelled when a decline leaves 2, even if the catalog has
    /// since lowered the minimum to 2).
    public var teamBounds: [String: TeamBounds] = [:]
    /// Drill members among `committed` whose `assignment.scheduled` no endpoint has accepted yet
    /// (queued, in flight, or sent with no answer): from `Module.teamConfirmedBy` on they do not
    /// count toward their team's minimum.
    public var unconfirmed: Set<String> = []

    public init(now: Instant, policy: Policy, siteZone: Zone = .utc, unitZones: [String: Zone] = [:],
                shifts: [Shift], coverage: [CoverageRule], modules: [Module],
                completions: [Completion] = [], committed: [Assignment] = []) {
        self.now = now
        self.policy = policy
        self.siteZone = siteZone
        self.unitZones = unitZones
        self.shifts = shifts
        self.coverage = coverage
        self.modules = modules
        self.completions = completions
        self.committed = committed
    }

    public func zone(of unit: String) -> Zone { unitZones[unit] ?? siteZone }

    /// The policy in force on a unit: its own overrides, else `[policy]`.
    public func policy(of unit: String) -> Policy { unitPolicies[unit] ?? policy }

    public var horizon: Interval {
        Interval(start: now, end: now.adding(seconds: Int64(policy.horizonHours) * 3600))
    }
}

/// A drill team's size bounds as scheduled (`group_max` `nil`: none).
public struct TeamBounds: Sendable, Hashable {
    public var min: Int
    public var max: Int?

    public init(min: Int, max: Int?) {
        self.min = min
        self.max = max
    }
}
