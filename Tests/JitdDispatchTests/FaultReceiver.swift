import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A webhook receiver on loopback whose behaviour a test sets: answer with a status (and
/// headers), answer slowly, reset the connection, or never answer. It records every request.
final class FaultReceiver: @unchecked Sendable {
    enum Behaviour: Sendable {
        case status(Int, headers: [(String, String)] = [])
        /// Answers with a JSON body (an LRS saying why it refused).
        case json(Int, String)
        case slow(milliseconds: Int64, status: Int)
        case reset
        case hang
    }

    struct Arrival: Sendable {
        var webhookID: String
        var headers: [String: String]
        var body: Data
        /// Monotonic seconds at arrival.
        var at: Double
        var path = ""
    }

    private let lock = NSLock()
    private var behaviour: Behaviour
    private var arrivals: [Arrival] = []
    private var channel: Channel!

    var port: Int { channel.localAddress!.port! }
    var url: String { "http://127.0.0.1:\(port)/hook" }

    init(_ behaviour: Behaviour = .status(200)) async throws {
        self.behaviour = behaviour
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { [unowned self] channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap {
                    channel.pipeline.addHandler(Handler(receiver: self))
                }
            }
        channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
    }

    func set(_ b: Behaviour) { lock.withLock { behaviour = b } }
    var current: Behaviour { lock.withLock { behaviour } }
    var received: [Arrival] { lock.withLock { arrivals } }
    var count: Int { lock.withLock { arrivals.count } }

    fileprivate func record(_ a: Arrival) { lock.withLock { arrivals.append(a) } }

    func close() async { try? await channel.close() }

    /// Waits until `n` requests arrived or `seconds` passed; returns the count.
    @discardableResult
    func waitFor(_ n: Int, seconds: Double = 60) async -> Int {
        let deadline = Date().addingTimeInterval(seconds)
        while count < n && Date() < deadline { try? await Task.sleep(nanoseconds: 10_000_000) }
        return count
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: FaultReceiver
        var head: HTTPRequestHead?
        var body = Data()

        init(receiver: FaultReceiver) { self.receiver = receiver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): head = h; body = Data()
            case .body(var b): body.append(contentsOf: b.readBytes(length: b.readableBytes) ?? [])
            case .end: answer(context)
            }
        }

        private func answer(_ context: ChannelHandlerContext) {
            guard let head else { return }
            var headers: [String: String] = [:]
            for (k, v) in head.headers { headers[k.lowercased()] = v }
            receiver.record(Arrival(webhookID: headers["webhook-id"] ?? "", headers: headers, body: body,
                                    at: Double(DispatchTime.now().uptimeNanoseconds) / 1e9, path: head.uri))
            switch receiver.current {
            case .status(let code, let extra):
                respond(context, code, extra)
            case .json(let code, let text):
                respond(context, code, [], body: text, type: "application/json")
            case .slow(let ms, let code):
                let ctx = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(ms)) { self.respond(ctx.value, code, []) }
            case .reset:
                let channel = context.channel
                if let provider = channel as? SocketOptionProvider {
                    provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
                } else {
                    context.close(promise: nil)
                }
            case .hang:
                break
            }
        }

        private func respond(_ context: ChannelHandlerContext, _ code: Int, _ extra: [(String, String)], body: String = "ok",
                             type: String = "text/plain") {
            var h = HTTPHeaders([("content-length", String(body.utf8.count)), ("content-type", type)])
            for (k, v) in extra { h.add(name: k, value: v) }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: code), headers: h))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}
