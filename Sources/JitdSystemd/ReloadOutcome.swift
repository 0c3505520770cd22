import Foundation

/// What became of a full reload, for `jitd reload` (and so `systemctl reload`) to report.
///
/// A signal carries no answer, so the daemon writes the outcome of every full reload to
/// `STATE/jitd.reload` (replaced by rename, so a reader never sees half a record), and `jitd
/// reload` waits for a record of the daemon it signalled whose reload *started* after the
/// signal was sent. Reloads run one at a time and re-read the files when they start, so such a
/// reload is the one that saw the files as they were when the operator asked.
///
/// Times are `CLOCK_MONOTONIC` microseconds, the clock systemd's `MONOTONIC_USEC` uses: the
/// same for every process on the machine, and never set back.
public struct ReloadOutcome: Codable, Sendable, Equatable {
    /// The daemon that reloaded.
    public var pid: Int32
    /// When the reload started.
    public var startedUsec: UInt64
    /// Whether the new config and catalog are in force.
    public var applied: Bool
    /// Why it was refused (`FILE:LINE: error: …` lines); empty when applied.
    public var problems: [String]

    public init(pid: Int32, startedUsec: UInt64, applied: Bool, problems: [String]) {
        self.pid = pid
        self.startedUsec = startedUsec
        self.applied = applied
        self.problems = problems
    }

    enum CodingKeys: String, CodingKey {
        case pid, applied, problems
        case startedUsec = "started_usec"
    }

    /// The record's name in the state folder, beside `jitd.lock`.
    public static let fileName = "jitd.reload"

    /// Now, on the clock the records use.
    public static func now() -> UInt64 { SystemdNotifier.monotonicMicroseconds() }

    /// Writes the record into `stateFolder`, replacing the last one by rename.
    public func write(stateFolder: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        let path = stateFolder + "/" + Self.fileName
        let temporary = path + ".tmp"
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "\(path): \(reason)"])
        }
    }

    /// The last record in `stateFolder`, or `nil` when there is none (or it cannot be read yet).
    public static func read(stateFolder: String) -> ReloadOutcome? {
        guard let data = FileManager.default.contents(atPath: stateFolder + "/" + fileName) else { return nil }
        return try? JSONDecoder().decode(ReloadOutcome.self, from: data)
    }
}
