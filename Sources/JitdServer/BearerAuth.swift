import Crypto
import Foundation
import Hummingbird

/// The API's tokens: read-write, and optionally read-only.
public struct APITokens: Sendable {
    public var readWrite: String?
    public var readOnly: String?

    public init(readWrite: String?, readOnly: String?) {
        self.readWrite = readWrite
        self.readOnly = readOnly
    }

    public enum Access: Sendable { case none, read, readWrite }

    /// Compares digests, so the time taken says nothing about how much of a token matched.
    public func access(for presented: String) -> Access {
        func same(_ a: String?) -> Bool {
            guard let a else { return false }
            return Data(SHA256.hash(data: Data(a.utf8))) == Data(SHA256.hash(data: Data(presented.utf8)))
        }
        if same(readWrite) { return .readWrite }
        if same(readOnly) { return .read }
        return .none
    }
}

/// Closes everything under `/v1`: a missing or wrong bearer token is a 401 with no detail;
/// a read-only token may only read.
struct BearerAuth<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokens

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let header = request.headers[.authorization] ?? ""
        let token = header.hasPrefix("Bearer ") ? String(header.dropFirst(7)) : ""
        switch tokens.access(for: token) {
        case .none:
            var r = Problem(status: .unauthorized, title: "Unauthorized", detail: nil).response
            r.headers[.wwwAuthenticate] = "Bearer"
            return r
        case .read where request.method != .get && request.method != .head:
            return Problem(status: .forbidden, title: "Forbidden", detail: "this token may only read").response
        default:
            return try await next(request, context)
        }
    }
}
