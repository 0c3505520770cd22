import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal webhook receiver on loopback: answers 204 and notes when each `webhook-id` arrived.
final class BenchReceiver: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String: Double] = [:]
    private var channel: Channel!

    var url: String { "http://127.0.0.1:\(channel.localAddress!.port!)/hook" }
    var count: Int { lock.withLock { seen.count } }
    var arrivals: [String: Double] { lock.withLock { seen } }
    func reset() { lock.withLock { seen = [:] } }

    fileprivate func arrived(_ id: String) {
        let t = Double(DispatchTime.now().uptimeNanoseconds) / 1e9
        lock.withLock { if seen[id] == nil { seen[id] = t } }
    }

    static func start() async throws -> BenchReceiver {
        let r = BenchReceiver()
        r.channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 512)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMap { channel.pipeline.addHandler(Handler(receiver: r)) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return r
    }

    private final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart
        let receiver: BenchReceiver
        var id = ""

        init(receiver: BenchReceiver) { self.receiver = receiver }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let h): id = h.headers.first(name: "webhook-id") ?? ""
            case .body: break
            case .end:
                receiver.arrived(id)
                let head = HTTPResponseHead(version: .http1_1, status: .noContent, headers: ["content-length": "0"])
                context.write(wrapOutboundOut(.head(head)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            }
        }
    }
}
