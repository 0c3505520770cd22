import Foundation
import JitdCore
import JitdIngest

/// Prints to standard error.
public enum StandardError {
    public static func print(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }
}

/// The config and catalog read at start-up: their problems printed, and a ``DaemonExit`` of 1
/// when they have errors.
public enum StartupFiles {
    public static func config(_ path: String) throws(DaemonExit) -> Config {
        do {
            let parsed = try ConfigLoader.load(path: path)
            parsed.warnings.forEach { StandardError.print($0.description) }
            return parsed.value
        } catch {
            StandardError.print(error.description)
            throw DaemonExit(status: 1)
        }
    }

    public static func catalog(_ config: Config) throws(DaemonExit) -> [Module] {
        do {
            let parsed = try CatalogParser.load(path: config.catalogPath, zone: config.siteZone)
            parsed.warnings.forEach { StandardError.print($0.description) }
            return parsed.value
        } catch {
            StandardError.print(error.description)
            throw DaemonExit(status: 1)
        }
    }
}
