import Hummingbird
import NIOCore

/// The context of every request the server answers: Hummingbird's core, the peer's address (for
/// the trusted reverse proxies of the console), and what the authorisation middleware found
/// for the handlers: the console user, and a console form already read for its CSRF token.
public struct JitdRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection's peer; `nil` where there is none (tests that skip the network).
    public let remoteAddress: SocketAddress?
    /// The signed-in console user, set by ``Authorization`` on console routes.
    var identity: ConsoleIdentity?
    /// The url-encoded form of a console POST, read by ``Authorization`` to check its CSRF token.
    var form: FormInput?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
