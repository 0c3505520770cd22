import JitdCore

/// the replacement rule (docs/configuration.md) on plain values, for offline planning (`jitd plan --roster A --roster B`):
/// a roster replaces, for each unit it names, every entry of that unit starting on a local day
/// on which the roster has an entry for that unit. The store applies the same rule in SQL.
public enum RosterMerge {
    public static func apply(_ entries: [Shift], to existing: [Shift], zones: UnitZones) -> [Shift] {
        func day(_ s: Shift) -> [Int] {
            let l = zones.zone(of: s.unit).local(s.interval.start)
            return [l.year, l.month, l.day]
        }
        var replaced: Set<[String]> = []
        for s in entries { replaced.insert([s.unit] + day(s).map(String.init)) }
        return existing.filter { !replaced.contains([$0.unit] + day($0).map(String.init)) } + entries
    }
}
