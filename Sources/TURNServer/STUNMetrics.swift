import ConnectionLimits
import CoreMetrics
import STUNCodec

/// The STUN listener counters, created once with fixed labels (swift-metrics guidance) and shared by every
/// handler. Handlers count into a local ``STUNMetrics/Tally`` per read batch and flush it here in
/// `channelReadComplete`, so the per-packet cost is a plain integer increment.
public final class STUNMetrics: Sendable {
    /// A transport's counters.
    final class TransportCounters: Sendable {
        let requests: Counter
        let successResponses: Counter

        init(transport: String) {
            self.requests = Counter(label: "switchboard_stun_requests_total", dimensions: [("transport", transport)])
            self.successResponses = Counter(
                label: "switchboard_stun_success_responses_total",
                dimensions: [("transport", transport)]
            )
        }
    }

    /// Error codes that get their own series; anything else is counted under "other".
    static let countedErrorCodes: [STUNErrorCode] = [
        .badRequest, .unauthenticated, .forbidden, .unknownAttribute, .allocationMismatch, .staleNonce,
        .wrongCredentials, .unsupportedTransportProtocol, .allocationQuotaReached, .serverError,
        .insufficientCapacity,
    ]

    let udp = TransportCounters(transport: "udp")
    let tcp = TransportCounters(transport: "tcp")
    let errorResponses: [UInt16: Counter]
    let otherErrorResponses = Counter(label: "switchboard_stun_error_responses_total", dimensions: [("code", "other")])
    let dropped: [BindingResponder.DropReason: Counter]
    /// TCP connections closed because the peer sent something that is not STUN or ChannelData framing.
    let closedStreams = Counter(
        label: "switchboard_stun_tcp_connections_closed_total",
        dimensions: [("reason", "bad_framing")]
    )
    let idleStreams = Counter(label: "switchboard_stun_tcp_connections_closed_total", dimensions: [("reason", "idle")])
    /// TCP connections closed because a frame they started did not complete in time.
    let framingTimeouts = Counter(
        label: "switchboard_stun_tcp_connections_closed_total",
        dimensions: [("reason", "framing_timeout")]
    )
    /// TCP connections closed at once because a connection cap was reached, by cap.
    let refusedStreams: [ConnectionLedger<ClientAddressKey>.Refusal: Counter]
    /// Failed `accept`s of the TCP listeners (each pauses the listener).
    let acceptFailures = Counter(label: "switchboard_accept_failures_total", dimensions: [("listener", "stun_tcp")])
    /// TCP connections closed because a write would have taken their unsent bytes over the budget.
    let slowReaders = Counter(
        label: "switchboard_stun_tcp_connections_closed_total",
        dimensions: [("reason", "slow_reader")]
    )
    /// TCP connections closed because they stayed unwritable (the client read nothing) for the send timeout.
    let sendTimeouts = Counter(
        label: "switchboard_stun_tcp_connections_closed_total",
        dimensions: [("reason", "send_timeout")]
    )
    let tcpConnections = Meter(label: "switchboard_stun_tcp_connections")

    public init() {
        var errors: [UInt16: Counter] = [:]
        for code in Self.countedErrorCodes {
            errors[code.rawValue] = Counter(
                label: "switchboard_stun_error_responses_total",
                dimensions: [("code", String(code.rawValue))]
            )
        }
        self.errorResponses = errors
        var dropped: [BindingResponder.DropReason: Counter] = [:]
        for reason in BindingResponder.DropReason.allCases {
            dropped[reason] = Counter(
                label: "switchboard_stun_dropped_packets_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.dropped = dropped
        var refused: [ConnectionLedger<ClientAddressKey>.Refusal: Counter] = [:]
        for reason in ConnectionLedger<ClientAddressKey>.Refusal.allCases {
            refused[reason] = Counter(
                label: "switchboard_stun_tcp_connections_refused_total",
                dimensions: [("reason", reason.rawValue)]
            )
        }
        self.refusedStreams = refused
    }

    /// Counts of one read batch, kept by a handler on its event loop.
    struct Tally {
        var requests = 0
        var successes = 0
        var errors: [UInt16: Int] = [:]
        var dropped: [BindingResponder.DropReason: Int] = [:]

        var isEmpty: Bool {
            self.requests == 0 && self.successes == 0 && self.errors.isEmpty && self.dropped.isEmpty
        }

        mutating func record(_ action: BindingResponder.Action) {
            switch action {
            case .respond(_, .success):
                self.requests += 1
                self.successes += 1
            case .respond(_, .error(let code)):
                self.requests += 1
                self.errors[code.rawValue, default: 0] += 1
            case .drop(let reason):
                self.dropped[reason, default: 0] += 1
            }
        }
    }

    func flush(_ tally: inout Tally, transport: TransportCounters) {
        guard !tally.isEmpty else {
            return
        }
        if tally.requests > 0 {
            transport.requests.increment(by: tally.requests)
        }
        if tally.successes > 0 {
            transport.successResponses.increment(by: tally.successes)
        }
        for (code, count) in tally.errors {
            (self.errorResponses[code] ?? self.otherErrorResponses).increment(by: count)
        }
        for (reason, count) in tally.dropped {
            self.dropped[reason]?.increment(by: count)
        }
        tally = Tally()
    }
}
