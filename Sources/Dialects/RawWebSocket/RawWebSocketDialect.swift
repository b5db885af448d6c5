import CoreMetrics
import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import SocketIOCodec
import Synchronization

/// Dialect C bound to a WebSocket route: one task per connection reads frames into ``RawWebSocketState`` and
/// writes what other connections queued for it. Each connection's outbound queue is bounded; a client that does not
/// keep up loses its connection rather than growing the server's memory.
public final class RawWebSocketDialect: Sendable {
    private let state = Mutex(RawWebSocketState())
    private let outboxes = Mutex<[String: AsyncStream<String>.Continuation]>([:])
    private let iceServers: @Sendable (String?) -> JSONValue
    private let dropped = Counter(label: "switchboard_signaling_dialect_dropped_events_total")
    private let logger: Logger
    /// Messages queued per connection before it is closed as too slow.
    static let outboxLimit = 1024

    /// - Parameter iceServers: the ICE payload for a client that reached the server as the given Host.
    public init(iceServers: @escaping @Sendable (String?) -> JSONValue, logger: Logger) {
        self.iceServers = iceServers
        self.logger = logger
    }

    /// Serves the dialect at `path` on a router whose server does WebSocket upgrades.
    public func addRoutes<Context: WebSocketRequestContext>(to router: Router<Context>, path: String) {
        router.ws(RouterPath(path)) { [self] inbound, outbound, context in
            let host = context.request.head.authority
            try await self.serve(inbound: inbound, outbound: outbound, host: host)
        }
    }

    private func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, host: String?) async throws {
        let connection = UUID().uuidString
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingOldest(Self.outboxLimit))
        self.outboxes.withLock { $0[connection] = continuation }
        defer {
            continuation.finish()
            self.outboxes.withLock { $0[connection] = nil }
            let deliveries = self.state.withLock { $0.closed(connection: connection) }
            self.deliver(deliveries)
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await text in stream {
                    try await outbound.write(.text(text))
                }
            }
            for try await message in inbound.messages(maxSize: 1 << 20) {
                guard case .text(let text) = message else {
                    self.dropped.increment()
                    continue
                }
                let outcome = self.state.withLock { $0.received(text: text, from: connection) }
                if outcome.dropped {
                    self.dropped.increment()
                }
                if outcome.sendICEServers {
                    var payload = self.iceServers(host)
                    if case .object(var object) = payload {
                        object = JSONObject([("type", "iceServers")] + object.members.map { ($0.key, $0.value) })
                        payload = .object(object)
                    }
                    self.enqueue(payload.serialized(), to: connection)
                }
                self.deliver(outcome.deliveries)
            }
            group.cancelAll()
        }
    }

    private func deliver(_ deliveries: [SignalingDelivery]) {
        for delivery in deliveries {
            if let message = delivery.arguments.first {
                self.enqueue(message.serialized(), to: delivery.to)
            }
        }
    }

    private func enqueue(_ text: String, to connection: String) {
        guard let continuation = self.outboxes.withLock({ $0[connection] }) else {
            return
        }
        if case .dropped = continuation.yield(text) {
            self.logger.warning("raw WebSocket client too slow; closing it", metadata: ["connection": "\(connection)"])
            continuation.finish()
        }
    }
}
