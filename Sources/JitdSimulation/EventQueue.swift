/// What happens in the simulated hospital, at a minute.
enum SimEvent {
    /// Midnight in the site's zone: the day's events are drawn.
    case newDay(Int)
    /// The scheduling system's morning export of the next days.
    case dailyRosters
    case sickCall, swap, busyBlock
    /// An export with a broken row (refused whole), or an export dropped again unchanged.
    case badRoster, droppedAgain
    /// The LMS's hourly completions file.
    case lmsFile
    /// Someone completed a module outside jitd's plan.
    case completedElsewhere
    case acknowledge(String), decline(String), complete(String)
    /// The LMS reports the session's module completed, by its next file or through the API.
    case reported(String, viaFile: Bool)
    /// An LMS posting completions to the API.
    case postCompletions([(staff: String, module: String, at: Int64)])
    case catalogChange(Int)
    /// An operator enables an endpoint a 410 disabled.
    case enable(String)
    /// The daemon stops in the middle of deliveries and starts again a few minutes later.
    case restart

    /// Whether the event goes through the daemon's API (which is down during a restart).
    var needsAPI: Bool {
        switch self {
        case .acknowledge, .decline, .complete, .reported, .postCompletions, .completedElsewhere, .enable: true
        default: false
        }
    }
}

/// Events by time, first in first out among equal times.
struct EventQueue {
    private var heap: [(at: Int64, seq: Int, event: SimEvent)] = []
    private var seq = 0

    var isEmpty: Bool { heap.isEmpty }
    var nextTime: Int64? { heap.first?.at }

    mutating func push(_ at: Int64, _ event: SimEvent) {
        seq += 1
        heap.append((at, seq, event))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> (at: Int64, event: SimEvent)? {
        guard !heap.isEmpty else { return nil }
        heap.swapAt(0, heap.count - 1)
        let top = heap.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count && less(l, m) { m = l }
            if r < heap.count && less(r, m) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return (top.at, top.event)
    }

    private func less(_ a: Int, _ b: Int) -> Bool { (heap[a].at, heap[a].seq) < (heap[b].at, heap[b].seq) }
}
