import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

/// The CONNECTION-IDs of every TCP allocation on this server (RFC 6062 §5.2-§5.4), across event loops: the
/// ConnectionBind for a peer connection arrives on a new client connection, which any event loop may serve, not
/// necessarily the allocation's. Also the TCP relayed addresses in use, so that two allocations never listen on
/// the same one (the listeners share their address with the allocation's outgoing connections, see
/// ``TCPRelaySockets``). Touched by Connect, ConnectionBind and peer connections opening and closing; never per byte.
final class TCPConnectionRegistry: Sendable {
    /// A peer connection waiting for its ConnectionBind, with what the bind is checked against.
    struct PendingBind: Sendable {
        let peerChannel: any Channel
        /// The allocation's username and key: the ConnectionBind must carry the same credentials (RFC 6062 §5.4).
        let owner: TURNAuthenticator.PinnedCredential
        let peer: TransportAddress
    }

    /// By id: nil while the id is reserved (a Connect under way), the pending bind once there is one.
    private let entries = NIOLockedValueBox<[UInt32: PendingBind?]>([:])
    private let listeners = NIOLockedValueBox<Set<TransportAddress>>([])

    /// A fresh, unused, non-zero id, reserved until ``release(_:)``.
    func reserveID() -> UInt32 {
        self.entries.withLockedValue { entries in
            while true {
                let id = UInt32.random(in: 1...UInt32.max)
                if entries[id] == nil {
                    entries[id] = .some(nil)
                    return id
                }
            }
        }
    }

    /// Connection `id` is up and waits for its bind.
    func publish(_ id: UInt32, _ pending: PendingBind) {
        self.entries.withLockedValue { $0[id] = pending }
    }

    /// The pending bind of `id`, left in place (to authenticate the ConnectionBind against).
    func pending(_ id: UInt32) -> PendingBind? {
        self.entries.withLockedValue { $0[id] ?? nil }
    }

    /// Takes the pending bind of `id` for a ConnectionBind: only one bind gets it.
    func claim(_ id: UInt32) -> PendingBind? {
        self.entries.withLockedValue { entries in
            guard let pending = entries[id] ?? nil else {
                return nil
            }
            entries[id] = nil
            return pending
        }
    }

    /// Forgets `id`; returns its pending bind when nobody claimed it (the caller closes the peer connection).
    @discardableResult
    func release(_ id: UInt32) -> PendingBind? {
        self.entries.withLockedValue { $0.removeValue(forKey: id) ?? nil }
    }

    var count: Int {
        self.entries.withLockedValue { $0.count }
    }

    /// Reserves a TCP relayed address for one allocation's listener; false when another allocation has it.
    func reserveListener(_ address: TransportAddress) -> Bool {
        self.listeners.withLockedValue { $0.insert(address).inserted }
    }

    func releaseListener(_ address: TransportAddress) {
        self.listeners.withLockedValue { _ = $0.remove(address) }
    }
}
