/// Spaced reinforcement: after a completion of a module with `reinforce_days`, a short booster
/// of it near each of those days.
///
/// The planner sees each booster as a module of its own, `MODULE#booster-N` (online, the
/// booster's minutes and priority, the module's roles and units), so the booster's needs,
/// placements and completions never mix with the module's own: a booster completed is a
/// completion of `MODULE#booster-N`, and does not restart the module's recertification. Outside
/// (webhooks, the API) an assignment of a booster names the module and says `booster: N`.
public enum Booster {
    /// Days either side of a booster's target in which it counts as on time; it may be placed
    /// from the first of them.
    public static let toleranceDays = 2
    /// Days after the target past which a booster not placed is given up.
    public static let lateDays = 5

    /// The id of booster `n` (1 for the first) of `module`.
    public static func moduleID(_ module: String, _ n: Int) -> String { "\(module)#booster-\(n)" }

    /// The module and booster number of a booster's id; `nil` for any other id.
    public static func parse(_ id: String) -> (module: String, number: Int)? {
        guard let hash = id.lastIndex(of: "#") else { return nil }
        let tail = id[id.index(after: hash)...]
        guard tail.hasPrefix("booster-"), let n = Int(tail.dropFirst("booster-".count)), n > 0 else { return nil }
        return (String(id[..<hash]), n)
    }

    /// The booster modules of a catalog, one per reinforcement day of each module.
    public static func modules(of catalog: [Module]) -> [Module] {
        catalog.flatMap { m in
            m.reinforceDays.indices.map { i in
                Module(id: moduleID(m.id, i + 1), title: "\(m.title) (booster \(i + 1))", minutes: m.reinforceMinutes, kind: .online,
                       roles: m.roles, units: m.units, priority: m.reinforcePriority, published: m.published, url: m.url)
            }
        }
    }

    /// The catalog with the boosters of its modules added: what a plan plans.
    public static func planned(_ catalog: [Module]) -> [Module] { catalog + modules(of: catalog) }
}
