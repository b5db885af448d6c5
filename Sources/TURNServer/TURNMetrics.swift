import CoreMetrics
import Synchronization

/// The TURN counters and gauges, created once with fixed labels. The data plane counts into plain integers on its
/// event loop and flushes them here once a second (with the expiry sweep), so a relayed packet costs no atomic.
public final class TURNMetrics: Sendable {
    let allocations = Meter(label: "switchboard_turn_allocations")
    let permissions = Meter(label: "switchboard_turn_permissions")
    let channels = Meter(label: "switchboard_turn_channels")
    let allocationsCreated = Counter(label: "switchboard_turn_allocations_created_total")
    let packetsToPeer = Counter(label: "switchboard_turn_packets_total", dimensions: [("direction", "client_to_peer")])
    let packetsToClient = Counter(
        label: "switchboard_turn_packets_total",
        dimensions: [("direction", "peer_to_client")]
    )
    let bytesToPeer = Counter(label: "switchboard_turn_bytes_total", dimensions: [("direction", "client_to_peer")])
    let bytesToClient = Counter(label: "switchboard_turn_bytes_total", dimensions: [("direction", "peer_to_client")])
    let quotaRefusals: [QuotaLedger.Refusal: Counter] = Dictionary(
        uniqueKeysWithValues: QuotaLedger.Refusal.allCases.map { reason in
            (reason, Counter(label: "switchboard_turn_quota_refusals_total", dimensions: [("quota", reason.rawValue)]))
        }
    )
    /// RFC 6062 peer data connections open, bound or waiting for their bind.
    let tcpConnections = Meter(label: "switchboard_turn_tcp_connections")
    /// RFC 6062 ConnectionBind requests that turned a client connection into a data connection.
    let tcpBinds = Counter(label: "switchboard_turn_tcp_binds_total")
    let tcpRefused: [TCPRefusal: Counter] = Dictionary(
        uniqueKeysWithValues: TCPRefusal.allCases.map { reason in
            (reason, Counter(label: "switchboard_turn_tcp_failures_total", dimensions: [("reason", reason.rawValue)]))
        }
    )
    let authFailures: [String: Counter]
    let forbidden: [String: Counter]
    let dropped: [DropReason: Counter]
    /// Running totals for the status page (the metrics backend is write-only).
    let totals = Mutex(TURNTrafficTotals())

    /// Why a relayed packet was dropped.
    enum DropReason: String, CaseIterable {
        case noAllocation = "no_allocation"
        case noPermission = "no_permission"
        case noChannel = "no_channel"
        case bandwidth
        case malformed
        /// A peer's datagram longer than a relay socket takes (``DatagramReceiver/maximumDatagramSize``): dropped, not
        /// relayed cut short.
        case tooLarge = "too_large"
        /// The kernel did not take a relayed datagram (a full send buffer, an unreachable destination).
        case sendFailed = "send_failed"
        /// A TCP client's connection was unwritable (it is not reading fast enough): dropped, not buffered.
        case clientSlow = "client_slow"
    }

    /// Why an RFC 6062 peer connection was refused, failed or closed unused.
    enum TCPRefusal: String, CaseIterable {
        /// A peer connected to a relayed address without a permission for its IP (§5.3).
        case noPermission = "no_permission"
        /// The allocation holds as many peer connections as it may.
        case tooMany = "too_many"
        /// The connection a Connect asked for failed or timed out (447).
        case connectFailed = "connect_failed"
        /// No ConnectionBind came within 30 seconds (§5.2, §5.3).
        case bindTimeout = "bind_timeout"
    }

    public init() {
        var authFailures: [String: Counter] = [:]
        for reason in TURNAuthenticationResult.FailureReason.allCases {
            authFailures[reason.rawValue] = Counter(
                label: "switchboard_turn_auth_failures_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        authFailures["wrong_credentials"] = Counter(
            label: "switchboard_turn_auth_failures_total",
            dimensions: [("reason", "wrong_credentials")]
        )
        self.authFailures = authFailures
        var forbidden: [String: Counter] = [:]
        for reason in PeerAddressPolicy.DenyReason.allCases {
            forbidden[reason.rawValue] = Counter(
                label: "switchboard_turn_forbidden_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.forbidden = forbidden
        var dropped: [DropReason: Counter] = [:]
        for reason in DropReason.allCases {
            dropped[reason] = Counter(
                label: "switchboard_turn_dropped_packets_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.dropped = dropped
    }

    /// Data-plane counts of one event loop between two flushes.
    struct Tally {
        var packetsToPeer = 0
        var bytesToPeer = 0
        var packetsToClient = 0
        var bytesToClient = 0
        var dropped: [DropReason: Int] = [:]
        /// Datagrams to or from one of the server's own IPs that the peer policy refused (hairpin permissions).
        var forbidden: [PeerAddressPolicy.DenyReason: Int] = [:]

        enum Direction {
            case toPeer, toClient
        }

        /// Counts what a relay send did: datagrams and payload bytes sent, `send_failed` and `client_slow` drops.
        mutating func record(_ result: DatagramSocket.FlushResult, _ direction: Direction) {
            switch direction {
            case .toPeer:
                self.packetsToPeer += result.sent
                self.bytesToPeer += result.payloadBytes
            case .toClient:
                self.packetsToClient += result.sent
                self.bytesToClient += result.payloadBytes
            }
            if result.failed > 0 {
                self.dropped[.sendFailed, default: 0] += result.failed
            }
            if result.clientSlow > 0 {
                self.dropped[.clientSlow, default: 0] += result.clientSlow
            }
        }
    }

    /// Counts one read relayed between an RFC 6062 client data connection and its peer (a chunk of a byte stream,
    /// counted as one packet), as it happens: stream reads are large and few, unlike datagrams.
    func recordStream(bytes: Int, _ direction: Tally.Direction) {
        switch direction {
        case .toPeer:
            self.packetsToPeer.increment()
            self.bytesToPeer.increment(by: bytes)
            self.totals.withLock {
                $0.packetsToPeer += 1
                $0.bytesToPeer += bytes
            }
        case .toClient:
            self.packetsToClient.increment()
            self.bytesToClient.increment(by: bytes)
            self.totals.withLock {
                $0.packetsToClient += 1
                $0.bytesToClient += bytes
            }
        }
    }

    func flush(_ tally: inout Tally) {
        if tally.packetsToPeer > 0 || tally.packetsToClient > 0 {
            self.totals.withLock { totals in
                totals.packetsToPeer += tally.packetsToPeer
                totals.bytesToPeer += tally.bytesToPeer
                totals.packetsToClient += tally.packetsToClient
                totals.bytesToClient += tally.bytesToClient
            }
        }
        if tally.packetsToPeer > 0 {
            self.packetsToPeer.increment(by: tally.packetsToPeer)
            self.bytesToPeer.increment(by: tally.bytesToPeer)
        }
        if tally.packetsToClient > 0 {
            self.packetsToClient.increment(by: tally.packetsToClient)
            self.bytesToClient.increment(by: tally.bytesToClient)
        }
        for (reason, count) in tally.dropped {
            self.dropped[reason]?.increment(by: count)
        }
        for (reason, count) in tally.forbidden {
            self.forbidden[reason.rawValue]?.increment(by: count)
        }
        tally = Tally()
    }
}

/// Relayed traffic since start, for the status page.
public struct TURNTrafficTotals: Sendable, Hashable {
    public var packetsToPeer = 0
    public var bytesToPeer = 0
    public var packetsToClient = 0
    public var bytesToClient = 0
}
