import CoreMetrics

/// What the shared port made of its connections.
struct SharedPortMetrics: Sendable {
    /// Connections handed over, by protocol (`http`, `https`, `turn`, `turns`).
    let handedOver: [SharedPortProtocol: Counter]
    /// Connections closed while sniffing, by reason: `unknown` (no protocol of the port), `not_accepted` (a
    /// protocol `shared.protocols` leaves out), `sniff_timeout`, `over_cap`.
    let unknown = Self.closed("unknown")
    let notAccepted = Self.closed("not_accepted")
    let sniffTimeouts = Self.closed("sniff_timeout")
    /// Closed at once: over the caps of connections being sniffed.
    let overCap = Self.closed("over_cap")

    private static func closed(_ reason: String) -> Counter {
        Counter(label: "switchboard_shared_port_closed_total", dimensions: [("reason", reason)])
    }

    init() {
        var handedOver: [SharedPortProtocol: Counter] = [:]
        for name in SharedPortProtocol.allCases {
            handedOver[name] = Counter(
                label: "switchboard_shared_port_connections_total",
                dimensions: [("protocol", name.rawValue)]
            )
        }
        self.handedOver = handedOver
    }
}
