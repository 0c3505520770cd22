import JitdCore

/// A planning instance as the exact solver (bench/planner/exact.py) reads it: the planner's needs,
/// the slack per unit, role and slot, each person's shifts and busy blocks, the modules and the
/// policy — and the planner's own weighted score to compare with.
enum ExactInstance {
    static func json(input: PlanningInput, plan: Plan) -> JSONValue {
        let profile = SlackProfile(input)
        let step = Int64(input.policy.slotMinutes) * 60
        let p = input.policy
        let earliest = input.now.adding(minutes: p.notifyLeadMinutes).ceiled(to: step)
        func t(_ i: Instant) -> JSONValue { .int(Int(i.seconds)) }
        return .object([
            "origin": t(profile.origin), "slot_seconds": .int(Int(step)), "earliest": t(earliest), "horizon_end": t(input.horizon.end),
            "policy": .object(["buffer": .int(p.handoverBufferMinutes * 60), "max_minutes": .int(p.maxTrainingMinutesPerShift),
                               "max_sessions": .int(p.maxSessionsPerShift), "gap": .int(p.minMinutesBetweenSessions * 60)]),
            "slack": .array(profile.rows.map { .object(["unit": .string($0.unit), "role": .string($0.role), "slack": .array($0.slack.map(JSONValue.int))]) }),
            "shifts": .array(input.shifts.map {
                .object(["staff": .string($0.staffID), "unit": .string($0.unit), "role": .string($0.role), "kind": .string($0.kind.rawValue),
                         "start": t($0.interval.start), "end": t($0.interval.end)])
            }),
            "modules": .array(input.modules.map { m in
                .object(["id": .string(m.id), "minutes": .int(m.minutes), "kind": .string(m.kind.rawValue), "roles": .array(m.roles.map(JSONValue.string)),
                         "units": .array(m.units.map(JSONValue.string)), "published": t(m.published),
                         "prerequisites": .array(m.prerequisites.map(JSONValue.string)),
                         "sessions": .array(m.sessions.map { .object(["start": t($0.start), "capacity": .int($0.capacity)]) })])
            }),
            "held": .array(input.completions.map { .object(["staff": .string($0.staffID), "module": .string($0.moduleID)]) }),
            "needs": .array(Planner().needs(input).map { .object(["staff": .string($0.staffID), "module": .string($0.moduleID), "weight": .int($0.weight)]) }),
            "planner_score": .int(plan.weightPlaced),
            "planner_placed": .array(plan.assignments.map { .object(["staff": .string($0.staffID), "module": .string($0.moduleID), "start": t($0.interval.start)]) }),
        ])
    }
}
