import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOPosix
import STUNCodec

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// Relay "sockets" that are never opened: addresses handed out in order from port 50000, channels that are
/// embedded. Binding fails on demand (508).
final class UnopenedRelaySockets: RelaySocketFactory {
    let loop: EmbeddedEventLoop
    var nextPort: UInt16 = 50000
    var failing = false
    private(set) var bound: [TransportAddress] = []

    init(loop: EmbeddedEventLoop) {
        self.loop = loop
    }

    func bindRelay(
        ip: TransportAddress.IP,
        port: Int?,
        evenPort: Bool,
        reserveNext: Bool,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<RelayBinding> {
        if self.failing {
            return self.loop.makeFailedFuture(IOError(errnoCode: EADDRINUSE, reason: "bind"))
        }
        var chosen = port.map { UInt16($0) } ?? self.nextPort
        if evenPort && chosen % 2 == 1 {
            chosen += 1
        }
        self.nextPort = max(self.nextPort, chosen + (reserveNext ? 2 : 1))
        let address = TransportAddress(ip: ip, port: chosen)
        self.bound.append(address)
        var binding = RelayBinding(address: address, channel: EmbeddedChannel(loop: self.loop), socket: .unopened())
        if reserveNext {
            binding.reserved = (TransportAddress(ip: ip, port: chosen + 1), EmbeddedChannel(loop: self.loop))
        }
        return self.loop.makeSucceededFuture(binding)
    }
}

/// TCP relay sockets (RFC 6062) that are never opened: listeners on ports from 51000, and connects that wait for
/// the test to complete them, with embedded channels carrying the peer handler.
final class UnopenedTCPRelaySockets: TCPRelaySocketFactory {
    struct PendingConnect {
        var peer: TransportAddress
        var id: UInt32
        var channel: EmbeddedChannel
        var promise: EventLoopPromise<any Channel>
    }

    let loop: EmbeddedEventLoop
    var nextPort: UInt16 = 51000
    private(set) var listeners: [TransportAddress] = []
    var connects: [PendingConnect] = []

    init(loop: EmbeddedEventLoop) {
        self.loop = loop
    }

    func listen(
        ip: TransportAddress.IP,
        for allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<TCPRelayListener> {
        let address = TransportAddress(ip: ip, port: self.nextPort)
        self.nextPort += 1
        self.listeners.append(address)
        return self.loop.makeSucceededFuture((address, EmbeddedChannel(loop: self.loop)))
    }

    func connect(
        from relay: TransportAddress,
        to peer: TransportAddress,
        id: UInt32,
        allocation: Allocation,
        table: AllocationTable
    ) -> EventLoopFuture<any Channel> {
        let channel = EmbeddedChannel(
            handler: TCPPeerHandler(table: table, allocation: allocation, id: id),
            loop: self.loop
        )
        channel.connect(to: peer.makeSocketAddress(), promise: nil)
        let promise = self.loop.makePromise(of: (any Channel).self)
        self.connects.append(PendingConnect(peer: peer, id: id, channel: channel, promise: promise))
        return promise.futureResult
    }
}

/// One event loop's TURN control plane with no sockets and no real clock: requests go in as decoded messages,
/// answers come out of an embedded channel, time moves when the test says so.
final class ControlPlaneHarness {
    static let realm = "example.org"
    static let users = ["alice": "wonderland", "bob": "builder"]
    static let server = TransportAddress(ip: .v4(0xCB00_7101), port: 3478)  // 203.0.113.1

    let loop = EmbeddedEventLoop()
    let relaySockets: UnopenedRelaySockets
    let tcpRelaySockets: UnopenedTCPRelaySockets
    let shared: TURNSharedState
    let table: AllocationTable
    let clock = ManualClock()
    private var nonces: [FiveTuple: String] = [:]
    private var outputs: [FiveTuple: EmbeddedChannel] = [:]

    init(_ configure: (inout TURNServerConfiguration) -> Void = { _ in }) {
        var configuration = TURNServerConfiguration(
            addresses: [.v4(0xCB00_7101)],
            realm: Self.realm,
            staticUsers: Self.users,
            restSecrets: ["north"]
        )
        configure(&configuration)
        let clock = self.clock
        self.shared = TURNSharedState(
            configuration: configuration,
            metrics: TURNMetrics(),
            logger: Logger(label: "test"),
            unixNow: { clock.unix }
        )
        self.shared.updateServerAddresses([Self.server], interfaceIPs: [])
        self.relaySockets = UnopenedRelaySockets(loop: self.loop)
        self.tcpRelaySockets = UnopenedTCPRelaySockets(loop: self.loop)
        self.table = AllocationTable(
            eventLoop: self.loop,
            shared: self.shared,
            relaySockets: self.relaySockets,
            tcpRelaySockets: self.tcpRelaySockets
        ) {
            clock.monotonic
        }
    }

    var now: NIODeadline { self.clock.monotonic }

    /// Quota places held: allocations and reservations.
    var quotaPlaces: Int { self.shared.quota.withLockedValue { $0.count } }

    /// Moves both clocks on.
    func advance(seconds: Int64) {
        self.clock.monotonic = self.clock.monotonic + .seconds(seconds)
        self.clock.unix += seconds
    }

    static func client(_ port: UInt16, ip: TransportAddress.IP = .v4(0xC633_6405)) -> FiveTuple {
        FiveTuple(client: TransportAddress(ip: ip, port: port), server: Self.server, transport: .udp)
    }

    /// Sends a request from `fiveTuple` as `user` (authenticated with the NONCE of an earlier challenge, which is
    /// fetched first when there is none; `user: nil` sends no credentials) and returns the answer, if any.
    @discardableResult
    func send(
        _ method: STUNMethod,
        from fiveTuple: FiveTuple,
        user: String? = "alice",
        transactionID: STUNTransactionID = .random(),
        attributes: (inout STUNMessageWriter) -> Void = { _ in }
    ) throws -> STUNMessage? {
        if user != nil, self.nonces[fiveTuple] == nil {
            let challenge = try self.send(method, from: fiveTuple, user: nil)
            self.nonces[fiveTuple] = try challenge?.attribute(Nonce.self)?.value
        }
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: method, messageClass: .request),
            transactionID: transactionID,
            buffer: ByteBuffer()
        )
        attributes(&writer)
        if let user, let nonce = self.nonces[fiveTuple] {
            writer.append(Username(user))
            writer.append(Realm(Self.realm))
            writer.append(Nonce(nonce))
            writer.appendMessageIntegrity(key: Self.key(user))
        }
        return try self.deliver(STUNMessage.decode(writer.finish()), from: fiveTuple)
    }

    /// Hands a message to the table as one read batch and returns what was answered.
    func deliver(_ message: STUNMessage, from fiveTuple: FiveTuple) throws -> STUNMessage? {
        let output = self.output(for: fiveTuple)
        self.table.receivedTURNMessage(
            message,
            from: fiveTuple,
            output: .stream(output),
            allocator: ByteBufferAllocator()
        )
        self.loop.run()
        self.table.flushRelays()
        guard let answer = try output.readOutbound(as: ByteBuffer.self) else {
            return nil
        }
        return try STUNMessage.decode(answer)
    }

    /// Sends a ConnectionBind for `id` (RFC 6062 §5.4) as `user` on the new connection `fiveTuple`, the way a
    /// TCP or TLS listener hands it over; returns the answer and the connection's pipe to the peer when bound.
    func bind(
        _ id: UInt32?,
        from fiveTuple: FiveTuple,
        user: String = "alice"
    ) throws -> (answer: STUNMessage?, pipe: TCPRelayPipe?) {
        let nonce = try self.nonce(for: fiveTuple)
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .connectionBind, messageClass: .request),
            transactionID: .random(),
            buffer: ByteBuffer()
        )
        if let id {
            writer.append(ConnectionID(id))
        }
        writer.append(Username(user))
        writer.append(Realm(Self.realm))
        writer.append(Nonce(nonce))
        writer.appendMessageIntegrity(key: Self.key(user))
        let output = self.output(for: fiveTuple)
        let pipe = self.table.handleConnectionBind(
            try STUNMessage.decode(writer.finish()),
            from: fiveTuple,
            channel: output,
            allocator: ByteBufferAllocator()
        )
        self.loop.run()
        let answer = try output.readOutbound(as: ByteBuffer.self).map { try STUNMessage.decode($0) }
        return (answer, pipe)
    }

    /// A NONCE for requests from `fiveTuple`, fetched with an unauthenticated Refresh when there is none yet.
    private func nonce(for fiveTuple: FiveTuple) throws -> String {
        if let nonce = self.nonces[fiveTuple] {
            return nonce
        }
        let challenge = try self.send(.refresh, from: fiveTuple, user: nil)
        guard let nonce = try challenge?.attribute(Nonce.self)?.value else {
            throw STUNCodecError.invalidAttributeValue(.nonce)
        }
        self.nonces[fiveTuple] = nonce
        return nonce
    }

    static func key(_ user: String) -> [UInt8] {
        let password = Self.users[user] ?? "north"
        return LongTermCredentials.key(username: user, realm: Self.realm, password: password)
    }

    /// The next message the client of `fiveTuple` received, once the loop has run (answers sent later, indications).
    func nextMessage(to fiveTuple: FiveTuple) throws -> STUNMessage? {
        self.loop.run()
        return try self.output(for: fiveTuple).readOutbound(as: ByteBuffer.self).map { try STUNMessage.decode($0) }
    }

    func output(for fiveTuple: FiveTuple) -> EmbeddedChannel {
        if let output = self.outputs[fiveTuple] {
            return output
        }
        let output = EmbeddedChannel(loop: self.loop)
        self.outputs[fiveTuple] = output
        return output
    }
}

/// The monotonic time of the table and the Unix time of the authenticator (nonce ages, REST expiry), moved by hand.
final class ManualClock: @unchecked Sendable {
    var monotonic = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    var unix: Int64 = 1_700_000_000
}

extension STUNMessage {
    /// The ERROR-CODE of an error response, nil for a success.
    var errorCode: Int? {
        (try? self.attribute(ErrorCodeAttribute.self)).flatMap { $0.map { Int($0.code.rawValue) } }
    }
}
