import CoreMetrics
import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOWebSocket
import SignalingServer
import SocketIOCodec
import Synchronization

/// Dialect C served on a WebSocket path: each connection's messages go through the event log to
/// ``RawWebSocketState``, and what it decides is sent to the connections of this node. Connections are served in the channel pipeline (see
/// `HTTP1WebSocketEndpointsChannel`); a client that does not keep up is closed (1008) rather than growing the
/// server's memory. A message for several clients is serialized once and its bytes shared by all their frames.
public final class RawWebSocketDialect: WebSocketEndpoint, DialectEventSubscriber {
    public let webSocketPath: String
    public var maxWebSocketMessageSize: Int { 1 << 20 }
    private let state = Mutex(RawWebSocketState())
    /// This node's connections and the Host each reached the server as.
    private let connections = Mutex<[String: (connection: WebSocketConnection, host: String?)]>([:])
    private let events: any DialectEventStream
    private let iceServers: @Sendable (String?, String) -> JSONValue
    private let dropped = Counter(label: "switchboard_signaling_dialect_dropped_events_total")
    private let logger: Logger
    /// Bytes waiting for a connection's socket before it is closed as too slow.
    let outboundBufferBytes: Int
    /// How long a connection may take none of what is written to it before it is dropped.
    let sendTimeout: TimeAmount

    /// - Parameters:
    ///   - path: the WebSocket path.
    ///   - iceServers: the ICE payload for a client that reached the server as the given Host, over the connection
    ///     with the given id (the identity its TURN credentials carry).
    ///   - outboundBufferBytes: bytes waiting for a connection's socket before it is closed as too slow.
    ///   - sendTimeout: how long a connection may stay unwritable before it is dropped.
    ///   - eventLog: where the connections' messages are ordered before they are applied.
    public init(
        path: String,
        iceServers: @escaping @Sendable (String?, String) -> JSONValue,
        logger: Logger,
        outboundBufferBytes: Int = 4 << 20,
        sendTimeout: TimeAmount = .seconds(30),
        eventLog: any DialectEventLog = DirectEventLog()
    ) {
        self.webSocketPath = path
        self.iceServers = iceServers
        self.logger = logger
        self.outboundBufferBytes = outboundBufferBytes
        self.sendTimeout = sendTimeout
        self.events = eventLog.stream(scope: "ws:" + path)
        self.events.subscribe(self)
    }

    public func acceptWebSocket(_ request: HTTPRequest, channel: any Channel) -> EventLoopFuture<WebSocketAcceptance?> {
        let host = request.authority
        let acceptance = WebSocketAcceptance(
            outboundBufferBytes: self.outboundBufferBytes,
            sendTimeout: self.sendTimeout
        ) { connection in
            let client = Client(id: UUID().uuidString, host: host, dialect: self)
            self.connections.withLock { $0[client.id] = (connection, host) }
            connection.attach(client)
        }
        return channel.eventLoop.makeSucceededFuture(acceptance)
    }

    /// One connection's delegate: its id in ``RawWebSocketState`` and the Host it reached the server as.
    private final class Client: WebSocketConnectionDelegate {
        let id: String
        let host: String?
        let dialect: RawWebSocketDialect

        init(id: String, host: String?, dialect: RawWebSocketDialect) {
            self.id = id
            self.host = host
            self.dialect = dialect
        }

        func webSocket(_ connection: WebSocketConnection, received message: TextOrBinaryMessage) {
            self.dialect.received(message, from: self)
        }

        func webSocketOutboundBufferFull(_ connection: WebSocketConnection) {
            self.dialect.logger.warning(
                "raw WebSocket client too slow; closing it",
                metadata: ["connection": "\(self.id)"]
            )
            connection.close(code: .policyViolation)
        }

        func webSocketClosed(_ connection: WebSocketConnection) {
            self.dialect.closed(self)
        }
    }

    private func received(_ message: TextOrBinaryMessage, from client: Client) {
        let text: String
        switch message {
        case .text(let string):
            text = string
        case .binary(let bytes):
            // The original ran JSON.parse on a binary frame's Buffer too, which reads it as UTF-8.
            guard let string = String(validating: bytes.readableBytesView, as: UTF8.self) else {
                self.dropped.increment()
                return
            }
            text = string
        }
        self.events.append(.rawReceived(connection: client.id, text: text))
    }

    private func closed(_ client: Client) {
        self.connections.withLock { $0[client.id] = nil }
        self.events.append(.rawClosed(connection: client.id))
    }

    /// Applies one of dialect C's events from the log.
    public func apply(_ event: DialectEvent, origin: DialectEventOrigin) {
        switch event {
        case .rawReceived(let connection, let text):
            let outcome = self.state.withLock { $0.received(text: text, from: connection) }
            if outcome.dropped && origin == .thisNode {
                self.dropped.increment()
            }
            for replaced in outcome.close {
                // Its id now belongs to this client: a close frame at once, so nothing for the id reaches it again.
                self.connections.withLock { $0[replaced] }?.connection.close(code: .normalClosure)
            }
            if outcome.sendICEServers, let client = self.connections.withLock({ $0[connection] }) {
                var payload = self.iceServers(client.host, connection)
                if case .object(var object) = payload {
                    object = JSONObject([("type", "iceServers")] + object.members.map { ($0.key, $0.value) })
                    payload = .object(object)
                }
                self.send(ByteBuffer(string: payload.serialized()), to: connection)
            }
            self.deliver(outcome.deliveries)
        case .rawClosed(let connection):
            self.deliver(self.state.withLock { $0.closed(connection: connection) })
        default:
            break
        }
    }

    public func snapshot() -> JSONValue {
        self.state.withLock { $0.json }
    }

    public func restore(_ snapshot: JSONValue) -> Bool {
        guard let restored = RawWebSocketState(json: snapshot) else {
            return false
        }
        self.state.withLock { $0 = restored }
        return true
    }

    public func reset() {
        let connections = self.connections.withLock { connections in
            defer { connections = [:] }
            return connections.values
        }
        for client in connections {
            client.connection.close(code: .goingAway)
        }
        self.state.withLock { $0 = RawWebSocketState() }
    }

    /// A fan-out's deliveries carry the same message one after another: it is serialized once, and every
    /// recipient's frame shares the bytes.
    private func deliver(_ deliveries: [SignalingDelivery]) {
        var last: (message: JSONValue, bytes: ByteBuffer)?
        for delivery in deliveries {
            guard let message = delivery.arguments.first else {
                continue
            }
            if last?.message != message {
                last = (message, ByteBuffer(string: message.serialized()))
            }
            if let bytes = last?.bytes {
                self.send(bytes, to: delivery.to)
            }
        }
    }

    private func send(_ utf8: ByteBuffer, to connection: String) {
        self.connections.withLock { $0[connection] }?.connection.send(encodedText: utf8)
    }
}
