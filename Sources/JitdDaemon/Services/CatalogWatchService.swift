import Foundation
import JitdCore
import Logging
import ServiceLifecycle

/// Asks for a catalog reload when its files change: watches the catalog folder (or the folder
/// holding a one-file catalog, since editors replace a file by renaming a new one over it) with
/// inotify, waits until the writes have been quiet for `quiet`, then asks ``ReloadService`` once.
/// Follows `[paths] catalog` when a reload changes it.
struct CatalogWatchService: Service {
    let runtime: Runtime
    let requests: ReloadRequests
    var quiet: Duration = .milliseconds(500)

    static let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE)

    func run() async throws {
        let changed = ChangeSignal()
        let events = EventCount()
        await withGracefulShutdownHandler {
            var watched: String? = nil
            var watch: DirectoryWatch? = nil
            var handled = 0
            while !Task.isCancelled && !Task.isShuttingDownGracefully {
                let path = runtime.config.catalogPath
                if path != watched {
                    watch?.stop()
                    watch = start(path, events, changed)
                    watched = path
                }
                await changed.wait(seconds: 5) // also a check that `[paths] catalog` has not changed
                guard events.value != handled else { continue }
                handled = await settled(events)
                if Task.isShuttingDownGracefully { break }
                requests.request(.catalog)
            }
            watch?.stop()
        } onGracefulShutdown: {
            changed.notify()
        }
    }

    /// Waits until no event arrived for `quiet`; returns the count then.
    func settled(_ events: EventCount) async -> Int {
        var seen = events.value
        while true {
            try? await Task.sleep(for: quiet)
            let now = events.value
            if now == seen || Task.isCancelled { return now }
            seen = now
        }
    }

    /// Watches what holds the catalog; counts events on catalog files only.
    func start(_ path: String, _ events: EventCount, _ changed: ChangeSignal) -> DirectoryWatch? {
        var isDir: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
        let dir = folder ? path : (path as NSString).deletingLastPathComponent
        let base = (path as NSString).lastPathComponent
        let relevant: @Sendable (String) -> Bool
        if folder {
            relevant = { name in !name.hasPrefix(".") && (name.hasSuffix(".toml") || name.hasSuffix(".json")) }
        } else {
            relevant = { name in name == base }
        }
        let watch = DirectoryWatch(folder: dir.isEmpty ? "." : dir, mask: Self.mask, label: "jitd.catalog.inotify") { batch in
            guard batch.contains(where: { relevant($0.name) }) else { return }
            events.add()
            changed.notify()
        }
        if watch == nil {
            runtime.logger.warning("cannot watch the catalog \(path) with inotify (\(String(cString: strerror(errno)))); it is reloaded on SIGHUP only")
        }
        return watch
    }
}

/// A count of events, bumped from inotify's queue and read from the service's task.
final class EventCount: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0

    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
