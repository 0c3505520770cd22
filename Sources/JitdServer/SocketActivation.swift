import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The API's listening socket: one systemd passed (socket activation), or one jitd bound itself.
///
/// Hummingbird 2 binds by address only, so the daemon takes the socket first and serves the
/// application on it with ``ListeningSocketServer``. Binding before the daemon reports ready
/// also means a port already in use stops start-up with a clear error instead of after `READY=1`.
public enum APIListener {
    public enum Failure: Error, CustomStringConvertible {
        case resolve(String)
        case bind(String, String)

        public var description: String {
            switch self {
            case .resolve(let what): return "cannot resolve \(what)"
            case .bind(let what, let why): return "cannot listen on \(what): \(why)"
            }
        }
    }

    /// A TCP socket bound to `host:port` and listening, close-on-exec, with `SO_REUSEADDR`.
    public static func bind(host: String, port: Int, backlog: Int32 = 256) throws -> Int32 {
        let address: SocketAddress
        do { address = try SocketAddress.makeAddressResolvingHost(host, port: port) } catch {
            throw Failure.resolve("\(host):\(port)")
        }
        let family: Int32 = address.protocol == .inet6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure.bind("\(host):\(port)", String(cString: strerror(errno))) }
        var one: Int32 = 1
        _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let bound = address.withSockAddr { sa, len in Glibc.bind(fd, sa, socklen_t(len)) }
        guard bound == 0, listen(fd, backlog) == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw Failure.bind("\(host):\(port)", why)
        }
        return fd
    }

    /// The local port a listening socket is bound to (for logs and tests).
    public static func localPort(_ fd: Int32) -> Int? {
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        guard ok == 0 else { return nil }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) } }
        case AF_INET6:
            return withUnsafePointer(to: &storage) { $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) } }
        default:
            return nil
        }
    }
}

/// Serves a Hummingbird application's routes over HTTP/1.1 on a socket that is already bound
/// and listening (from systemd's `sd_listen_fds`, or ``APIListener/bind(host:port:backlog:)``).
///
/// On graceful shutdown it stops accepting, lets requests in flight finish, closes idle
/// keep-alive connections, and returns once every connection is closed. The application's own
/// `services`, if any, run beside it under the same graceful shutdown.
public struct ListeningSocketServer<App: ApplicationProtocol>: Service {
    let app: App
    let fd: Int32
    let idleTimeout: TimeAmount

    /// - Parameters:
    ///   - app: the application whose responder answers requests.
    ///   - fd: a bound, listening stream socket; the server owns it from now on and closes it.
    public init(app: App, listeningSocket fd: Int32, idleTimeout: TimeAmount = .seconds(60)) {
        self.app = app
        self.fd = fd
        self.idleTimeout = idleTimeout
    }

    public func run() async throws {
        let responder = try await app.responder
        let logger = app.logger
        let serverName = app.configuration.serverName
        let http = HTTP1Channel(responder: { request, writer, channel in
            var requestLogger = logger
            requestLogger[metadataKey: "hb.request.id"] = "\(RequestID())"
            let context = App.Responder.Context(source: .init(channel: channel, logger: requestLogger))
            var response: Response
            do {
                response = try await responder.respond(to: request, context: context)
            } catch {
                requestLogger.debug("unhandled error: \(error)")
                response = Response(status: .internalServerError)
            }
            response.headers[.date] = HTTPDate.now()
            if let serverName { response.headers[.server] = serverName }
            try await writer.write(response: response.head, body: response.body)
        }, configuration: .init(idleTimeout: idleTimeout))

        let connections = Connections()
        let server = try await ServerBootstrap(group: app.eventLoopGroup)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .bind(NIOBSDSocket.Handle(fd)) { channel in
                connections.add(channel)
                return http.setup(channel: channel, logger: logger)
            }
        if let port = APIListener.localPort(fd) { logger.info("API listening on port \(port) (socket \(fd))") }
        let appServices = app.services
        try await withThrowingDiscardingTaskGroup { group in
            for service in appServices { group.addTask { try await service.run() } }
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { connectionsGroup in
                    do {
                        try await server.executeThenClose { inbound in
                            for try await child in inbound {
                                connectionsGroup.addTask { await http.handle(value: child, logger: logger) }
                            }
                        }
                    } catch {
                        logger.error("the API stopped accepting connections: \(error)")
                    }
                }
            } onGracefulShutdown: {
                server.channel.close(promise: nil)
                connections.quiesce()
            }
        }
    }
}

/// The open connections, so shutdown can ask each to finish its request and close.
private final class Connections: @unchecked Sendable {
    private let lock = NSLock()
    private var open: [ObjectIdentifier: any Channel] = [:]
    private var quiescing = false

    func add(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        let refuse = lock.withLock { () -> Bool in
            if quiescing { return true }
            open[id] = channel
            return false
        }
        if refuse {
            channel.close(promise: nil)
            return
        }
        channel.closeFuture.whenComplete { [weak self] _ in
            guard let self else { return }
            _ = self.lock.withLock { self.open.removeValue(forKey: id) }
        }
    }

    func quiesce() {
        let all = lock.withLock { () -> [any Channel] in
            quiescing = true
            return Array(open.values)
        }
        for channel in all { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }
}

/// The `Date` header (RFC 9110 IMF-fixdate), formatted at most once a second.
enum HTTPDate {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cached: (second: Int, text: String) = (-1, "")
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static func now() -> String {
        var t = time(nil)
        return lock.withLock {
            if cached.second == t { return cached.text }
            var tm = tm()
            gmtime_r(&t, &tm)
            func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
            let text = "\(days[Int(tm.tm_wday)]), \(two(tm.tm_mday)) \(months[Int(tm.tm_mon)]) \(tm.tm_year + 1900) "
                + "\(two(tm.tm_hour)):\(two(tm.tm_min)):\(two(tm.tm_sec)) GMT"
            cached = (t, text)
            return text
        }
    }
}
