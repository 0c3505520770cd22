import Foundation
import JitdDispatch
import JitdIngest
import JitdServer
import Logging

/// Reads the API's token files (or their systemd credentials), through ``SecretFile``: a token
/// file others may write is refused, one others may read is taken with a warning.
enum APITokenFiles {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    static func read(_ api: APIConfig, warn: (String) -> Void) throws(Problem) -> APITokens {
        func read(_ file: String?) throws(Problem) -> String? {
            guard let file else { return nil }
            let secret: SecretText
            do { secret = try SecretFile.read(file, what: "API token") } catch { throw Problem(description: error.description) }
            if let w = secret.warning { warn(w) }
            let text = secret.text.trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= 16 else {
                throw Problem(description: "the API token in \(secret.path) is shorter than 16 characters; generate one with: head -c 32 /dev/urandom | base64")
            }
            return text
        }
        return APITokens(readWrite: try read(api.tokenFile), readOnly: try read(api.readTokenFile))
    }

    /// At start-up: a token that cannot be used stops jitd.
    static func load(_ api: APIConfig, logger: Logger) throws -> APITokens {
        let tokens: APITokens
        do { tokens = try read(api, warn: { logger.warning("\($0)") }) } catch {
            StandardError.print("error: \(error)")
            throw DaemonExit(status: 1)
        }
        if tokens.readWrite == nil && tokens.readOnly == nil {
            logger.warning("no [api] token_file is configured: every /v1 request is refused")
        }
        return tokens
    }
}
