import NIOCore
import STUNCodec

/// One TURN allocation (RFC 8656 §2.2) with its I/O: the relay sockets and the way back to the client. Lives on
/// one event loop (the one whose listener received the Allocate) and is only touched there: no locks.
final class Allocation {
    let fiveTuple: FiveTuple
    let username: String
    /// The long-term key its Allocate was authenticated with (RFC 8489 §9.2.2). Later requests on the allocation
    /// may use it even after a reload removed the user or the secret it came from (see ``TURNReloadableSettings``).
    /// A secret: never logged.
    let key: [UInt8]
    /// The quota place it holds (RFC 8656 §7.2, 486), given back when it is deleted.
    let quotaHolder: QuotaLedger.Holder
    var state: AllocationState
    let clientOutput: ClientOutput
    /// Relay sockets, one per address family (RFC 8656 §7.2 dual allocation), with their advertised addresses.
    var relays: [(address: TransportAddress, channel: any Channel, socket: DatagramSocket)] = []
    /// The listening socket and peer connections of a TCP allocation (RFC 6062), which has no UDP ``relays``.
    var tcpRelay: TCPRelay?
    /// The transaction of the Allocate that created it and the response sent, so that a retransmission of that
    /// Allocate is answered with the same response (RFC 8656 §7.2) instead of 437.
    let allocateTransactionID: STUNTransactionID
    var allocateResponse: ByteBuffer?
    var limiter: BandwidthLimiter?
    /// Whether datagrams were queued on the relay sockets, or for the client, since the last flush.
    var relayNeedsFlush = false
    var clientNeedsFlush = false
    var isClosed = false

    init(
        fiveTuple: FiveTuple,
        username: String,
        key: [UInt8],
        state: AllocationState,
        clientOutput: ClientOutput,
        allocateTransactionID: STUNTransactionID
    ) {
        self.fiveTuple = fiveTuple
        self.username = username
        self.key = key
        self.quotaHolder = QuotaLedger.Holder(username: username, clientIP: fiveTuple.client.ip)
        self.state = state
        self.clientOutput = clientOutput
        self.allocateTransactionID = allocateTransactionID
    }

    /// The relay socket for a peer's address family.
    func relaySocket(for peer: TransportAddress) -> DatagramSocket? {
        // By index: iterating the tuples would retain and release each one's channel and socket.
        for index in self.relays.indices where self.relays[index].address.family == peer.family {
            return self.relays[index].socket
        }
        return nil
    }

    func hasRelay(for family: STUNAddressFamily) -> Bool {
        self.relays.contains { $0.address.family == family } || self.tcpRelay?.address.family == family
    }

    /// The relayed transport addresses, UDP or TCP.
    var relayAddresses: [TransportAddress] {
        self.relays.map(\.address) + (self.tcpRelay.map { [$0.address] } ?? [])
    }

    /// The credentials later requests about this allocation may use (see ``key``).
    var pinnedCredential: TURNAuthenticator.PinnedCredential {
        TURNAuthenticator.PinnedCredential(username: self.username, key: self.key)
    }
}

@available(*, unavailable)
extension Allocation: Sendable {}
