import ConnectionLimits
import NIOCore
import NIOSSL

/// What the shared port may hand a connection to, and how: each closure installs its server's handlers at the end
/// of the pipeline of an accepted, active channel (on its event loop) and takes the connection from there, under
/// that server's own connection caps and timeouts.
struct SharedPortRoutes: Sendable {
    /// The protocols the port accepts (`shared.protocols`).
    var accepts: Set<SharedPortProtocol>
    /// How long a connection may take to say what it speaks (`shared.sniffTimeoutSeconds`): its first bytes, and
    /// for TLS the handshake and the first decrypted bytes.
    var sniffTimeout: TimeAmount
    /// The TLS server context, with the ALPN ids of ``SharedPortSniffer/alpnProtocols``; nil accepts no TLS.
    var tls: NIOSSLContext?
    /// Connections still being sniffed, under the STUN/TCP caps (`stun.tcpMaxConnections*`) until they are handed
    /// over: then the chosen server's own caps count them.
    var sniffing: SharedConnectionLedger
    /// Counts what became of the connections.
    var metrics = SharedPortMetrics()
    /// Serves STUN/TURN on the channel (the TURN service's stream pipeline).
    var serveTURN: @Sendable (any Channel) -> EventLoopFuture<Void>
    /// Serves HTTP/1.1 (pages, Socket.IO polling and WebSocket, the raw WebSocket) on the channel.
    var serveHTTP: @Sendable (any Channel) -> EventLoopFuture<Void>
}

/// The protocols a shared port can accept, as `shared.protocols` names them.
enum SharedPortProtocol: String, CaseIterable, Sendable {
    /// HTTP/1.1 in the clear.
    case http
    /// STUN/TURN over TCP in the clear.
    case turn
    /// HTTP/1.1 over TLS.
    case https
    /// STUN/TURN over TLS.
    case turns
}
