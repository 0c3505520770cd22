import Foundation

/// A hard rule of SPEC broken by what people were told.
public struct Violation: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
        /// On-shift headcount minus the people in training fell below a coverage minimum.
        case coverage
        /// Someone was in training while their unit was already below a minimum before any
        /// training (SPEC: nobody of that unit and role is released then).
        case understaffedRelease = "understaffed_release"
        /// Not inside a shift of the person on that unit and role.
        case outsideShift = "outside_shift"
        /// Inside the shift but in its first or last `handover_buffer_minutes`.
        case handoverBuffer = "handover_buffer"
        case busyBlock = "busy_block"
        /// More sessions in one shift than `max_sessions_per_shift`.
        case sessionsPerShift = "sessions_per_shift"
        /// More training minutes in one shift than `max_training_minutes_per_shift`.
        case minutesPerShift = "minutes_per_shift"
        /// Two sessions of a person overlapping or closer than `min_minutes_between_sessions`.
        case spacing
        case prerequisite
        /// A drill group of fewer than `group_min` or more than `group_max` people.
        case drillSize = "drill_size"
        /// A drill group spread over units or start times.
        case drillShape = "drill_shape"
        case classroomCapacity = "classroom_capacity"
        /// A classroom attendee at a time that is none of the module's sessions.
        case classroomTime = "classroom_time"
        /// A session before its module was published.
        case notPublished = "not_published"
        /// A start off the `slot_minutes` grid.
        case offGrid = "off_grid"
        /// A session whose length is not its module's minutes.
        case wrongLength = "wrong_length"

        public static func < (a: Kind, b: Kind) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var kind: Kind
    /// When it happened (a coverage shortfall's first minute, a session's start).
    public var at: Int64
    public var unit: String?
    public var staff: String?
    /// For coverage: how many minutes in a row.
    public var minutes: Int?
    public var detail: String

    public init(kind: Kind, at: Int64, unit: String? = nil, staff: String? = nil, minutes: Int? = nil, detail: String) {
        self.kind = kind
        self.at = at
        self.unit = unit
        self.staff = staff
        self.minutes = minutes
        self.detail = detail
    }

    public var description: String {
        "\(kind.rawValue) at \(LocalClock.text(at))\(unit.map { " on \($0)" } ?? "")\(staff.map { " (\($0))" } ?? ""): \(detail)"
    }
}

/// What the auditor found, and the counts it keeps beside the hard rules.
public struct AuditReport: Sendable, Codable {
    public var violations: [Violation] = []
    /// Assignments whose `assignment.scheduled` reached some receiver.
    public var notifications = 0
    /// Of those, how many were later cancelled (an `assignment.cancelled` reached some receiver).
    public var cancelledNotifications = 0
    /// Those cancellations by the reason their message gave.
    public var cancellationReasons: [String: Int] = [:]
    /// Of those, how many reached a receiver before the session's start.
    public var cancelledBeforeStart = 0
    /// Sessions in effect (see the docs): what took people away.
    public var sessionsInEffect = 0
    /// Told sessions that start at or after the end of the period: still undecided when the
    /// history ends (their team's other messages, or a cancellation, may yet arrive before they
    /// start), so not judged.
    public var startingAfterEnd = 0
    /// Sessions in effect that were told less than the notify lead before their start (retries).
    public var toldLate = 0
    /// Sessions whose `assignment.scheduled` reached a receiver after an `assignment.cancelled` of it.
    public var toldAfterCancel = 0
    /// Sessions a receiver was told of that the store holds as cancelled, with no
    /// `assignment.cancelled` of them reaching any receiver: the person was never told it was off.
    public var cancelledUntold = 0
    /// Deliveries of a `webhook-id` the same receiver already had, by receiver.
    public var duplicateDeliveries: [String: Int] = [:]
    public var deliveries = 0
    /// Minutes × coverage rules at which a unit was below the minimum before any training.
    public var understaffedMinutes = 0
    /// Of those, minutes in which someone of that unit and role was in training all the same,
    /// in a session that started after the unit's last roster change (SPEC: nobody is released then).
    public var trainingWhileUnderstaffedMinutes = 0
    /// Unit-rule minutes whose shortfall was excused: every session running then had started
    /// before the roster change that made it short.
    public var excusedMinutes = 0
    /// Minutes × units × rules the coverage check looked at.
    public var coverageMinutesChecked = 0
    /// Messages whose body was not an assignment event the auditor could read.
    public var unreadableBodies = 0
    /// Sessions of a module the catalog in force did not have when they were scheduled.
    public var unknownModule = 0
    /// Needs the store left unmet at the end that an offline plan of the final state places
    /// (filled in by the caller, who may run the planner; the auditor does not).
    public var unmetPlaceable: Int?
    /// Needs the offline plan of the final state places, for scale.
    public var offlinePlaced: Int?

    public init() {}

    public var duplicateTotal: Int { duplicateDeliveries.values.reduce(0, +) }

    /// Notifications later cancelled, per 1,000 notifications.
    public var churnPerThousand: Double {
        notifications == 0 ? 0 : Double(cancelledNotifications) * 1000 / Double(notifications)
    }

    public var counts: [Violation.Kind: Int] {
        Dictionary(grouping: violations, by: \.kind).mapValues(\.count)
    }

    /// One line per violation kind with its first example, then the counts.
    public func summary(examples: Int = 1) -> String {
        var lines: [String] = []
        let grouped = Dictionary(grouping: violations, by: \.kind)
        for kind in grouped.keys.sorted() {
            let list = grouped[kind]!
            lines.append("  \(kind.rawValue): \(list.count)")
            for v in list.prefix(examples) { lines.append("    e.g. \(v.description)") }
        }
        if violations.isEmpty { lines.append("  no hard-rule violations") }
        lines.append(String(format: "  notifications %d, later cancelled %d (%.1f per 1,000; %d before the start); sessions in effect %d (%d starting after the period, not judged); told late %d; told after a cancellation %d; cancelled without telling %d",
                            notifications, cancelledNotifications, churnPerThousand, cancelledBeforeStart, sessionsInEffect, startingAfterEnd, toldLate, toldAfterCancel,
                            cancelledUntold))
        if !cancellationReasons.isEmpty {
            lines.append("  cancellations by reason: " + cancellationReasons.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let dups = duplicateDeliveries.keys.sorted().map { "\($0) \(duplicateDeliveries[$0]!)" }.joined(separator: ", ")
        lines.append("  deliveries \(deliveries), duplicate webhook-ids \(duplicateTotal)\(dups.isEmpty ? "" : " (\(dups))")")
        lines.append("  coverage: \(coverageMinutesChecked) unit-rule minutes checked, \(understaffedMinutes) understaffed before training "
                     + "(\(trainingWhileUnderstaffedMinutes) of them with someone training), \(excusedMinutes) excused by a roster change")
        if let u = unmetPlaceable, let p = offlinePlaced {
            lines.append("  unmet at the end that an offline plan places: \(u) (the offline plan places \(p))")
        }
        if unreadableBodies > 0 || unknownModule > 0 {
            lines.append("  unreadable bodies \(unreadableBodies), sessions of unknown modules \(unknownModule)")
        }
        return lines.joined(separator: "\n")
    }
}
