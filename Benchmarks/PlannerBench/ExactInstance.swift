import JitdCore

/// A planning instance as the exact model (bench/planner/exact.py) reads it: the planner's needs,
/// the slack per unit, role and slot, each person's shifts and busy blocks, the modules (drills
/// with their group bounds, classes with their sessions), the completions with how long each
/// holds, each unit's policy and first start (now plus its notification lead, on the grid) —
/// and the scores of jitd and of its baselines to compare with.
enum ExactInstance {
    static func json(input: PlanningInput, scores: [String: Plan]) -> JSONValue {
        let profile = SlackProfile(input)
        let step = Int64(input.policy.slotMinutes) * 60
        func t(_ i: Instant) -> JSONValue { .int(Int(i.seconds)) }
        func rules(_ p: Policy) -> JSONValue {
            .object(["buffer": .int(p.handoverBufferMinutes * 60), "max_minutes": .int(p.maxTrainingMinutesPerShift),
                     "max_sessions": .int(p.maxSessionsPerShift), "gap": .int(p.minMinutesBetweenSessions * 60),
                     "earliest": t(input.now.adding(minutes: p.notifyLeadMinutes).ceiled(to: step))])
        }
        let units = Set(input.shifts.map(\.unit)).sorted()
        let recur = Dictionary(input.modules.map { ($0.id, $0.recurDays) }, uniquingKeysWith: { a, _ in a })
        return .object([
            "origin": t(profile.origin), "slot_seconds": .int(Int(step)), "horizon_end": t(input.horizon.end),
            "policy": .object(Dictionary(uniqueKeysWithValues: units.map { ($0, rules(input.policy(of: $0))) })),
            "slack": .array(profile.rows.map { .object(["unit": .string($0.unit), "role": .string($0.role), "slack": .array($0.slack.map(JSONValue.int))]) }),
            "shifts": .array(input.shifts.map {
                .object(["staff": .string($0.staffID), "unit": .string($0.unit), "role": .string($0.role), "kind": .string($0.kind.rawValue),
                         "start": t($0.interval.start), "end": t($0.interval.end)])
            }),
            "modules": .array(input.modules.map { m in
                .object(["id": .string(m.id), "minutes": .int(m.minutes), "kind": .string(m.kind.rawValue), "roles": .array(m.roles.map(JSONValue.string)),
                         "units": .array(m.units.map(JSONValue.string)), "published": t(m.published),
                         "prerequisites": .array(m.prerequisites.map(JSONValue.string)),
                         "group_min": .int(max(1, m.groupMin ?? 2)), "group_max": .int(max(max(1, m.groupMin ?? 2), m.groupMax ?? m.groupMin ?? 2)),
                         "sessions": .array(m.sessions.map { .object(["start": t($0.start), "capacity": .int($0.capacity)]) })])
            }),
            "held": .array(input.completions.map { c in
                .object(["staff": .string(c.staffID), "module": .string(c.moduleID), "from": t(c.completedAt),
                         "until": recur[c.moduleID].flatMap { $0 }.map { t(c.completedAt.adding(seconds: Int64($0) * 86_400)) } ?? .null])
            }),
            "needs": .array(Planner().needs(input).map { .object(["staff": .string($0.staffID), "module": .string($0.moduleID), "weight": .int($0.weight)]) }),
            "scores": .object(scores.mapValues { .int($0.weightPlaced) }),
            "planner_placed": .array((scores["jitd"]?.assignments ?? []).map {
                .object(["staff": .string($0.staffID), "module": .string($0.moduleID), "start": t($0.interval.start)])
            }),
        ])
    }
}
