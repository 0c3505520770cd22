/// Slack per unit and role on the planning grid, before any training: on-shift headcount minus
/// the coverage minimum. What operators look at to see where training can go, and what an
/// exact solver needs to check the planner against the same rules.
public struct SlackProfile: Sendable {
    public struct Row: Sendable {
        public var unit: String
        public var role: String
        public var slack: [Int]
    }

    public var origin: Instant
    public var slotSeconds: Int64
    public var rows: [Row]

    public init(_ input: PlanningInput) {
        let step = Int64(input.policy.slotMinutes) * 60
        let grid = StaffingGrid(input: input, origin: input.now.floored(to: step), end: input.horizon.end)
        origin = grid.origin
        slotSeconds = step
        rows = grid.headcount.keys.sorted().map { key in
            Row(unit: key.unit, role: key.role, slack: (0..<grid.count).map { grid.slack(key, $0) })
        }
    }
}

extension Planner {
    /// The needs the planner would try to place for this input.
    public func needs(_ input: PlanningInput) -> [Need] { NeedFinder(input: input).needs() }
}
