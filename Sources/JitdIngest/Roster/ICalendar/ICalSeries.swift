import JitdCore

/// The events of one UID: the series itself (maybe recurring) and the overrides of its instances.
///
/// Instances are produced on the series' wall clock and turned into instants one by one, so that
/// a DST change moves neither the start nor the wall-clock end of a shift; only instances that
/// overlap the planning window are produced.
struct ICalSeries {
    /// An override of one instance (or, with RANGE=THISANDFUTURE, of it and all later ones).
    struct Override {
        var recurrenceID: RecurrenceID
        /// nil when the override removes the instance: cancelled, all-day, or taking no time.
        var schedule: EventSchedule?
    }

    /// Instances one series may put in the window before jitd calls the rule a mistake.
    static let instanceLimit = 50_000

    var master: EventSchedule?
    var overrides: [Override] = []

    func entries(window: Interval, sink: inout DiagnosticSink) -> [RosterEntry] {
        var result: [RosterEntry] = []
        if let master { result += masterEntries(master, window: window, sink: &sink) }
        for override in overrides {
            guard let s = override.schedule, master?.excludes(override.recurrenceID) != true,
                  let interval = s.interval, interval.overlaps(window) else { continue }
            result.append(RosterEntry(shift: s.template.shift(interval), line: s.line))
        }
        return result
    }

    /// A candidate start of the series before EXDATE and overrides are applied.
    private struct Candidate {
        var local: Int64
        var line: Int
        var end: EndRule?
    }

    private func masterEntries(_ master: EventSchedule, window: Interval, sink: inout DiagnosticSink) -> [RosterEntry] {
        if !master.isRecurring, overrides.isEmpty {
            return master.interval.map { [RosterEntry(shift: master.template.shift($0), line: master.line)] } ?? []
        }
        let futures = overrides.filter { $0.recurrenceID.thisAndFuture && $0.schedule != nil }
            .sorted { $0.recurrenceID.instant < $1.recurrenceID.instant }
        let lengths = ([master.end] + futures.compactMap { $0.schedule?.end }).map(\.roughLength)
        let moves = futures.map { abs(move(of: $0, in: master)) }
        let slack = 2 * 86_400 + (lengths.max() ?? 0) + (moves.max() ?? 0)
        let candidates = self.candidates(of: master, lower: window.start.seconds - slack, upper: window.end.seconds + slack, sink: &sink)
        let replacedInstants = Set(overrides.map(\.recurrenceID.instant))
        let replacedDays = Set(overrides.compactMap(\.recurrenceID.day))
        // An override that removes its instance with RANGE=THISANDFUTURE ends the series there.
        let removedFrom = overrides.filter { $0.recurrenceID.thisAndFuture && $0.schedule == nil }.map(\.recurrenceID.instant).min()
        var result: [RosterEntry] = []
        for candidate in candidates {
            let original = master.clock.lenientInstant(LocalDateTime(naiveSeconds: candidate.local))
            let day = icalFloorDiv(candidate.local, 86_400)
            if master.exclusions.excludes(original, localDay: day) || replacedInstants.contains(original) || replacedDays.contains(day) {
                continue
            }
            if let removedFrom, original >= removedFrom { break }
            let future = futures.last { $0.recurrenceID.instant < original }
            guard let entry = instance(candidate, of: master, following: future, window: window, slack: slack, sink: &sink) else { continue }
            result.append(entry)
            if result.count > Self.instanceLimit {
                sink.error("this series has more than \(Self.instanceLimit) instances in the planning window; "
                    + "check its RRULE (a FREQ that is too fine?)", line: master.line)
                return []
            }
        }
        return result
    }

    /// DTSTART, the RRULE instances near the window, and the RDATEs, without repeats, in order.
    private func candidates(of master: EventSchedule, lower: Int64, upper: Int64, sink: inout DiagnosticSink) -> [Candidate] {
        let clock = master.clock
        var found: [Int64: Candidate] = [:]
        let tests = master.rules.map { lined in
            (lined, RecurrenceUntil.test(lined.rule.until) { clock.lenientInstant(LocalDateTime(naiveSeconds: $0)) })
        }
        let bounded = tests.filter { $0.0.rule.until != nil }
        if bounded.isEmpty || !bounded.allSatisfy({ $0.1(master.start) }) {
            found[master.start] = Candidate(local: master.start, line: master.startLine, end: nil)
        }
        for (lined, beyondUntil) in tests {
            var budget = RecurrenceExpander.defaultBudget
            do throws(ICalValueError) {
                let starts = try RecurrenceExpander(rule: lined.rule, start: LocalDateTime(naiveSeconds: master.start))
                    .occurrences(upTo: upper, from: lower, beyondUntil: beyondUntil, budget: &budget)
                for s in starts where found[s] == nil { found[s] = Candidate(local: s, line: lined.line, end: nil) }
            } catch {
                sink.error(error.message, line: lined.line)
            }
        }
        for extra in master.extraDates where found[extra.local]?.end == nil {
            found[extra.local] = Candidate(local: extra.local, line: extra.line, end: extra.end)
        }
        return found.values.sorted { $0.local < $1.local }
    }

    /// The wall-clock shift a THISANDFUTURE override applies to the instances after it.
    private func move(of override: Override, in master: EventSchedule) -> Int64 {
        guard let s = override.schedule else { return 0 }
        return master.clock.local(s.startInstant).naiveSeconds - master.clock.local(override.recurrenceID.instant).naiveSeconds
    }

    /// One instance as a roster entry, or nil when it is outside the window or cannot be placed in time (reported).
    private func instance(_ candidate: Candidate, of master: EventSchedule, following future: Override?, window: Interval,
                          slack: Int64, sink: inout DiagnosticSink) -> RosterEntry? {
        var local = candidate.local
        var template = master.template, endRule = candidate.end ?? master.end, line = master.line
        if let future, let s = future.schedule {
            local += move(of: future, in: master)
            template = s.template
            endRule = candidate.end ?? s.end
            line = s.line
        }
        let clock = master.clock
        let rough = clock.lenientInstant(LocalDateTime(naiveSeconds: local))
        let near = rough.seconds >= window.start.seconds - slack && rough < window.end
        let start: Instant, end: Instant
        do throws(LocalTimeError) { start = try clock.instant(LocalDateTime(naiveSeconds: local)) } catch {
            if near { sink.error(ICalClock.nonexistentMessage(error, what: "the recurrence instance starting"), line: candidate.line) }
            return nil
        }
        do throws(LocalTimeError) { end = try endRule.end(startingAt: local, start, on: clock) } catch {
            if near { sink.error(ICalClock.nonexistentMessage(error, what: "the end of the recurrence instance, at"), line: candidate.line) }
            return nil
        }
        let interval = Interval(start: start, end: end)
        guard interval.overlaps(window) || (interval.isEmpty && near) else { return nil }
        guard !interval.isEmpty else {
            sink.error("the instance starting \(start.rfc3339) ends at \(end.rfc3339), not after it starts; check DTEND/DURATION",
                       line: candidate.line)
            return nil
        }
        return RosterEntry(shift: template.shift(interval), line: line)
    }
}

extension EventSchedule {
    /// The event's own span (DTSTART to its end), already checked to be non-empty when it was read.
    var interval: Interval? {
        (try? end.end(startingAt: start, startInstant, on: clock)).map { Interval(start: startInstant, end: $0) }
    }

    /// Whether an EXDATE of this series removes the instance an override names, which drops the override too.
    func excludes(_ id: RecurrenceID) -> Bool {
        exclusions.excludes(id.instant, localDay: icalFloorDiv(clock.local(id.instant).naiveSeconds, 86_400))
    }
}
