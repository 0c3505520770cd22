import Crypto
import Foundation
import Hummingbird

/// The API's tokens: read-write, and optionally read-only.
public struct APITokens: Sendable {
    public let readWrite: String?
    public let readOnly: String?
    private let readWriteDigest: [UInt8]?
    private let readOnlyDigest: [UInt8]?

    public init(readWrite: String?, readOnly: String?) {
        self.readWrite = readWrite
        self.readOnly = readOnly
        readWriteDigest = readWrite.map(Self.digest)
        readOnlyDigest = readOnly.map(Self.digest)
    }

    public enum Access: Sendable { case none, read, readWrite }

    /// Compares SHA-256 digests without an early exit, so the time taken says nothing about how
    /// much of a token matched, nor about its length.
    public func access(for presented: String) -> Access {
        let d = Self.digest(presented)
        func same(_ a: [UInt8]?) -> Bool {
            guard let a else { return false }
            var diff: UInt8 = 0
            for i in 0..<a.count { diff |= a[i] ^ d[i] }
            return diff == 0
        }
        let rw = same(readWriteDigest), ro = same(readOnlyDigest)
        return rw ? .readWrite : ro ? .read : .none
    }

    private static func digest(_ s: String) -> [UInt8] { Array(SHA256.hash(data: Data(s.utf8))) }
}

/// Closes everything under `/v1`, known route or not: a missing or wrong bearer token is a 401
/// with no detail; a read-only token may only use safe methods (GET, HEAD, OPTIONS).
struct BearerAuth<Context: RequestContext>: RouterMiddleware {
    let tokens: APITokens

    static func isProtected(_ path: String) -> Bool { path == "/v1" || path.hasPrefix("/v1/") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isProtected(request.uri.path) else { return try await next(request, context) }
        let header = request.headers[.authorization] ?? ""
        let scheme = header.prefix(7)
        let token = scheme.lowercased() == "bearer " ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        switch token.isEmpty ? .none : tokens.access(for: token) {
        case .none:
            throw Problem(status: .unauthorized, detail: nil, headers: [.wwwAuthenticate: "Bearer"])
        case .read where ![.get, .head, .options].contains(request.method):
            throw Problem(status: .forbidden, detail: "this token may only read; \(request.method) needs the read-write token")
        default:
            return try await next(request, context)
        }
    }
}
