/// The improvement search works on parts of the hospital that do not interact: units joined by
/// the people who work on more than one of them. A part's search sees only its own people,
/// assignments and needs, so a step costs what the part holds, not what the hospital holds, and
/// every part gets the same number of steps per person whatever the hospital's size. Class seats
/// are the one thing parts share: the count of each session's seats (`seats`) is handed from part
/// to part, so a part can take a seat only while the session has one free.
extension PlannerRun {
    /// People grouped by the parts of the hospital they belong to, each part's people sorted, parts
    /// in the order of their first person.
    func parts() -> [[String]] {
        var parent: [String: String] = [:]
        func find(_ x: String) -> String {
            var x = x
            while let p = parent[x], p != x { x = p }
            return x
        }
        for staff in people.keys.sorted() {
            let units = Set(people[staff]!.shifts.map(\.unit)).sorted()
            for u in units where parent[u] == nil { parent[u] = u }
            for u in units.dropFirst() {
                let a = find(units[0]), b = find(u)
                if a != b { parent[max(a, b)] = min(a, b) }
            }
        }
        var byRoot: [String: [String]] = [:]
        for staff in people.keys.sorted() {
            guard let unit = people[staff]!.shifts.first?.unit else { continue }
            byRoot[find(unit), default: []].append(staff)
        }
        return byRoot.values.sorted { $0[0] < $1[0] }
    }

    /// Runs the repair pass and the search on each part in turn, then puts the parts back together.
    mutating func improveByParts(steps: (Int) -> Int) {
        let parts = parts()
        guard !parts.isEmpty else { return }
        var partOf: [String: Int] = [:]
        for (i, part) in parts.enumerated() { for staff in part { partOf[staff] = i } }
        var partAssignments = Array(repeating: [Assignment](), count: parts.count)
        var rest: [Assignment] = []
        for a in assignments {
            if let i = partOf[a.staffID] { partAssignments[i].append(a) } else { rest.append(a) }
        }
        var partNeeds = Array(repeating: [Need](), count: parts.count)
        for n in needs { if let i = partOf[n.staffID] { partNeeds[i].append(n) } }
        var partUnmet = Array(repeating: [UnmetNeed](), count: parts.count)
        for u in unmet { if let i = partOf[u.staffID] { partUnmet[i].append(u) } }

        var whole = self
        whole.people = [:]
        whole.assignments = []
        whole.placed = [:]
        whole.needs = []
        whole.unmet = []
        // Only the construction reads these (for the reasons of unmet needs); the search must not
        // copy them with every step it may undo.
        whole.blockedByStaffing = []
        whole.blockedByCapacity = []
        whole.notesBlocks = false
        var people: [String: PersonCalendar] = [:]
        var placed: [String: [String: Interval]] = [:]
        var assignments = rest
        for (i, part) in parts.enumerated() {
            var sub = whole
            for staff in part {
                sub.people[staff] = self.people[staff]
                sub.placed[staff] = self.placed[staff]
            }
            sub.assignments = partAssignments[i]
            sub.needs = partNeeds[i]
            sub.unmet = partUnmet[i]
            sub.repair(budget: steps(part.count))
            sub.improve(steps: steps(part.count))
            whole.grid = sub.grid
            whole.seats = sub.seats
            people.merge(sub.people) { a, _ in a }
            placed.merge(sub.placed) { a, _ in a }
            assignments += sub.assignments
        }
        self.grid = whole.grid
        self.seats = whole.seats
        self.people = people
        self.placed = placed
        self.assignments = assignments
    }
}
