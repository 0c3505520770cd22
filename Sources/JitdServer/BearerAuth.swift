import Crypto
import Foundation
import Hummingbird
import JitdStore

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
        var presented = presented
        return presented.withUTF8 { access(forUTF8: UnsafeRawBufferPointer($0)) }
    }

    /// ``access(for:)`` over the token's UTF-8 bytes.
    func access(forUTF8 presented: UnsafeRawBufferPointer) -> Access {
        var hasher = SHA256()
        hasher.update(bufferPointer: presented)
        let d = hasher.finalize()
        func same(_ a: [UInt8]?) -> Bool {
            guard let a else { return false }
            return d.withUnsafeBytes { d in
                var diff: UInt8 = 0
                for i in 0..<a.count { diff |= a[i] ^ d[i] }
                return diff == 0
            }
        }
        let rw = same(readWriteDigest), ro = same(readOnlyDigest)
        return rw ? .readWrite : ro ? .read : .none
    }

    private static func digest(_ s: String) -> [UInt8] { Array(SHA256.hash(data: Data(s.utf8))) }
}

/// The tokens in force, replaced whole when the daemon reloads its token files: a request sees
/// either the old pair or the new one, never a mix.
public final class APITokenSource: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: APITokens

    public init(_ tokens: APITokens) { self.tokens = tokens }

    public var current: APITokens { lock.withLock { tokens } }

    public func replace(with new: APITokens) { lock.withLock { tokens = new } }
}

/// What a route needs before its handler runs. Every route declares one when it is registered.
enum RouteAccess: Sendable, Equatable {
    /// Anyone: health, readiness, metrics, the API's description, the console's stylesheet and sign-in page.
    case open
    /// The API: a bearer token; the read-only token for safe methods (GET, HEAD, OPTIONS) only.
    case token
    /// The console's sign-in form: anyone, with the CSRF token of the sign-in page's cookie.
    case signIn
    /// A console page or form: a signed-in user (session cookie, or the user header of a trusted
    /// reverse proxy) of at least this role; a form also needs its session's CSRF token.
    case console(ConsoleRole)
    /// An iCalendar feed: the secret in its path.
    case feed
}

/// The routes' needs by canonical template, filled while routes are registered and read by
/// ``Authorization`` for every request.
final class RouteAccessTable: @unchecked Sendable {
    private let lock = NSLock()
    private var needs: [String: RouteAccess] = [:]

    func set(_ path: String, _ access: RouteAccess) {
        lock.withLock {
            if let old = needs[path], old != access { preconditionFailure("\(path) registered as both \(old) and \(access)") }
            needs[path] = access
        }
    }

    /// What a request that matched `route` needs; a request that matched no route needs a token.
    func need(_ route: String?) -> RouteAccess {
        guard let route else { return .token }
        return lock.withLock { needs[route] } ?? .token
    }

    var all: [String: RouteAccess] { lock.withLock { needs } }
}

/// The one authorisation check every request passes through, for the API and the console alike.
///
/// What a request needs is decided by the route the router matched, by its canonical template
/// (`context.endpointPath`, e.g. `/v1/assignments/{id}/acknowledge`), never by the path as the
/// client spelled it: the router's trie drops empty segments, so `//v1/deliveries/dead` reaches
/// the same handler as `/v1/deliveries/dead` and must meet the same check. Each route declares
/// its ``RouteAccess`` when registered; a route that declared nothing, and every path that
/// matches no route at all, needs a token (a 401 with no detail), so an unknown spelling can
/// never be a way in. A read-only token may only use safe methods (GET, HEAD, OPTIONS).
///
/// Console routes are decided by ``ConsoleGate``: who is signed in, whether their role is
/// enough, and, for a form, whether it carries its CSRF token.
struct Authorization: RouterMiddleware {
    typealias Context = JitdRequestContext
    let tokens: APITokenSource
    let routes: RouteAccessTable
    /// `nil` when the console is off: console routes are then not registered either.
    let console: ConsoleGate?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        switch routes.need(context.endpointPath) {
        case .open:
            return try await next(request, context)
        case .token:
            switch Self.access(request.headers[.authorization] ?? "", tokens.current) {
            case .none:
                throw Problem(status: .unauthorized, detail: nil, headers: [.wwwAuthenticate: "Bearer"])
            case .read where ![.get, .head, .options].contains(request.method):
                throw Problem(status: .forbidden, detail: "this token may only read; \(request.method) needs the read-write token")
            default:
                return try await next(request, context)
            }
        case .signIn:
            guard let console else { throw Problem(status: .unauthorized, detail: nil, headers: [.wwwAuthenticate: "Bearer"]) }
            return try await console.admitSignIn(request, context, next)
        case .console(let role):
            guard let console else { throw Problem(status: .unauthorized, detail: nil, headers: [.wwwAuthenticate: "Bearer"]) }
            return try await console.admit(request, context, role: role, next)
        case .feed:
            guard let console, console.feedAllowed(context) else { throw Problem(status: .notFound, detail: "no such feed") }
            return try await next(request, context)
        }
    }

    /// What an `Authorization` header's bearer token gives: `Bearer` (any case), a space, the
    /// token with surrounding whitespace trimmed. An empty token gives nothing.
    static func access(_ header: String, _ tokens: APITokens) -> APITokens.Access {
        var header = header
        let fast = header.withUTF8 { b -> APITokens.Access? in
            // The usual header, all ASCII where it matters, is read as bytes. Anything else
            // (a non-ASCII byte after the scheme or at either end of the token) goes the way of
            // Characters and Foundation's trimming below, which decide exactly as before.
            guard b.count > 7 else { return nil }
            let scheme: StaticString = "bearer "
            for i in 0..<6 where b[i] | 0x20 != scheme.utf8Start[i] { return APITokens.Access.none }
            guard b[6] == 0x20 else { return APITokens.Access.none }
            guard b[7] < 0x80 else { return nil }
            var lo = 7, hi = b.count
            while lo < hi, b[lo] == 0x20 || b[lo] == 0x09 { lo += 1 }
            while hi > lo, b[hi - 1] == 0x20 || b[hi - 1] == 0x09 { hi -= 1 }
            guard lo < hi else { return APITokens.Access.none }
            guard b[lo] < 0x80, b[hi - 1] < 0x80 else { return nil }
            return tokens.access(forUTF8: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: b[lo..<hi])))
        }
        if let fast { return fast }
        let token = header.prefix(7).lowercased() == "bearer " ? String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces) : ""
        return token.isEmpty ? .none : tokens.access(for: token)
    }
}
