import ArgumentParser
import Foundation
import JitdCore
import JitdIngest

/// Parses an RFC 3339 option value.
struct TimeArgument: ExpressibleByArgument {
    var instant: Instant
    init?(argument: String) {
        guard let t = Instant(rfc3339: argument) else { return nil }
        instant = t
    }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// Loads and checks the config, or prints its problems and exits 1.
func loadConfigOrExit(_ path: String) -> Config {
    do {
        let parsed = try ConfigLoader.load(path: path)
        parsed.warnings.forEach { printError($0.description) }
        return parsed.value
    } catch {
        printError(error.description)
        Foundation.exit(1)
    }
}

/// Loads the catalog named by the config, or prints its problems and exits 1.
func loadCatalogOrExit(_ config: Config) -> [JitdCore.Module] {
    do {
        let parsed = try CatalogParser.load(path: config.catalogPath, zone: config.siteZone)
        parsed.warnings.forEach { printError($0.description) }
        return parsed.value
    } catch {
        printError(error.description)
        Foundation.exit(1)
    }
}

func now() -> Instant { JitdCommandClock.now() }
