import NIOCore
import STUNCodec

/// The peer connections of one RFC 6062 TCP allocation, by CONNECTION-ID: the ones the server is opening for a
/// Connect request (§5.2), those waiting for the client's ConnectionBind (§5.2, §5.3) and those bound to a client
/// data connection (§5.4). Pure: every method takes `now`, none does I/O; the allocation table does what the
/// answers say (respond 446, close an accepted connection, close one whose bind never came).
public struct TCPConnections: Sendable {
    /// Where one peer connection stands.
    public enum State: Hashable, Sendable {
        /// The server is connecting to the peer for a Connect request (§5.2).
        case connecting
        /// Connected, either way; the client must bind it before `deadline` or it is closed (§5.2, §5.3).
        case awaitingBind(deadline: NIODeadline)
        /// Bound to a client data connection: bytes flow both ways as they are (§5.4).
        case bound
    }

    /// One peer connection.
    public struct Connection: Hashable, Sendable {
        public var peer: TransportAddress
        public var state: State
    }

    /// Whether a new connection with a peer may be opened or accepted.
    public enum Decision: Equatable, Sendable {
        case allowed
        /// §5.2: a connection with this peer is being opened, waits for its bind or is bound (446 for Connect;
        /// an accepted one is closed).
        case alreadyExists
        /// The allocation holds ``limit`` connections already.
        case tooMany
    }

    /// §5.2 and §5.3: a peer connection the client does not bind within 30 seconds is closed.
    public static let bindTimeout = TimeAmount.seconds(30)

    /// The most peer connections one allocation may hold at once, in any state.
    public let limit: Int
    public private(set) var connections: [UInt32: Connection] = [:]

    public init(limit: Int) {
        self.limit = limit
    }

    /// Whether a connection with `peer` may be opened (Connect) or accepted (an incoming connection).
    public func decide(peer: TransportAddress) -> Decision {
        if self.connections.values.contains(where: { $0.peer == peer }) {
            return .alreadyExists
        }
        return self.connections.count >= self.limit ? .tooMany : .allowed
    }

    /// A Connect request opens connection `id` to `peer`.
    public mutating func connecting(_ id: UInt32, to peer: TransportAddress) {
        self.connections[id] = Connection(peer: peer, state: .connecting)
    }

    /// The connection for a Connect request is up: it waits for its bind. False when it is gone meanwhile.
    public mutating func connected(_ id: UInt32, now: NIODeadline) -> Bool {
        guard self.connections[id]?.state == .connecting else {
            return false
        }
        self.connections[id]?.state = .awaitingBind(deadline: now + Self.bindTimeout)
        return true
    }

    /// A peer connected to the relayed address (with a permission, §5.3): connection `id` waits for its bind.
    public mutating func accepted(_ id: UInt32, from peer: TransportAddress, now: NIODeadline) {
        self.connections[id] = Connection(peer: peer, state: .awaitingBind(deadline: now + Self.bindTimeout))
    }

    /// The client bound connection `id` (§5.4). False when it was not waiting for a bind.
    public mutating func bound(_ id: UInt32) -> Bool {
        guard case .awaitingBind = self.connections[id]?.state else {
            return false
        }
        self.connections[id]?.state = .bound
        return true
    }

    /// Forgets a connection that closed or failed.
    @discardableResult
    public mutating func remove(_ id: UInt32) -> Connection? {
        self.connections.removeValue(forKey: id)
    }

    /// Removes and returns the connections whose bind did not come in time.
    public mutating func removeUnbound(now: NIODeadline) -> [UInt32] {
        var expired: [UInt32] = []
        for (id, connection) in self.connections {
            if case .awaitingBind(let deadline) = connection.state, now >= deadline {
                expired.append(id)
            }
        }
        for id in expired {
            self.connections[id] = nil
        }
        return expired
    }
}
