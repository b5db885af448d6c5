import STUNCodec

/// What RFC 5780 §4 tests observed, and the NAT behaviour they imply (RFC 4787 §4.1, §5): pure, so the decision is
/// tested without a network.
public struct NATObservations: Sendable, Hashable {
    /// The client's own address (the socket's), to tell "no NAT" from a NAT.
    public var local: TransportAddress
    /// Test I: the mapped address seen by the primary address, and the server's OTHER-ADDRESS.
    public var mappedByPrimary: TransportAddress
    public var otherAddress: TransportAddress
    /// Mapping test II (to the alternate IP, primary port) and III (alternate IP and port); nil when not run.
    public var mappedByAlternateIP: TransportAddress?
    public var mappedByAlternateIPAndPort: TransportAddress?
    /// Filtering test II (reply asked from the other IP and port) and III (from the other port only).
    public var filteringReplyFromOtherIPAndPort: Bool?
    public var filteringReplyFromOtherPort: Bool?
    /// A request sent to the client's own mapped address came back to it (§4.5); nil when not tested.
    public var hairpinning: Bool?

    public init(local: TransportAddress, mappedByPrimary: TransportAddress, otherAddress: TransportAddress) {
        self.local = local
        self.mappedByPrimary = mappedByPrimary
        self.otherAddress = otherAddress
    }
}

/// An RFC 4787 mapping or filtering behaviour.
public enum NATBehaviour: String, Sendable, Hashable, Codable {
    case endpointIndependent = "endpoint-independent"
    case addressDependent = "address-dependent"
    case addressAndPortDependent = "address-and-port-dependent"
    /// The tests needed could not run (the server has one IP, or a test got no answer).
    case unknown
}

/// The verdict of a probe.
public struct NATVerdict: Sendable, Hashable, Codable {
    /// The mapped address is the socket's own: no address translation on the path.
    public var noNAT: Bool
    public var mapping: NATBehaviour
    public var filtering: NATBehaviour
    public var hairpinning: Bool?
    /// The pre-RFC 4787 name (RFC 3489 §5): "full cone", "restricted cone", "port-restricted cone", "symmetric",
    /// "open" or "firewall" (no NAT), or "unknown".
    public var classicName: String

    /// Decides from the observations (RFC 5780 §4.3 mapping, §4.4 filtering).
    public init(_ observed: NATObservations) {
        self.noNAT = observed.mappedByPrimary == observed.local
        self.mapping = Self.mapping(observed)
        self.filtering = Self.filtering(observed)
        self.hairpinning = observed.hairpinning
        self.classicName = Self.classicName(noNAT: self.noNAT, mapping: self.mapping, filtering: self.filtering)
    }

    /// §4.3: the same mapping towards another server IP is endpoint-independent; else the same one towards another
    /// port of that IP is address-dependent; else address-and-port-dependent.
    static func mapping(_ observed: NATObservations) -> NATBehaviour {
        if observed.mappedByPrimary == observed.local {
            return .endpointIndependent
        }
        guard let second = observed.mappedByAlternateIP else {
            return .unknown
        }
        if second == observed.mappedByPrimary {
            return .endpointIndependent
        }
        guard let third = observed.mappedByAlternateIPAndPort else {
            return .unknown
        }
        return third == second ? .addressDependent : .addressAndPortDependent
    }

    /// §4.4: a reply from another IP and port getting through is endpoint-independent filtering; else one from
    /// another port of the same IP is address-dependent; else address-and-port-dependent.
    static func filtering(_ observed: NATObservations) -> NATBehaviour {
        switch (observed.filteringReplyFromOtherIPAndPort, observed.filteringReplyFromOtherPort) {
        case (true?, _):
            return .endpointIndependent
        case (false?, true?):
            return .addressDependent
        case (false?, false?):
            return .addressAndPortDependent
        default:
            return .unknown
        }
    }

    static func classicName(noNAT: Bool, mapping: NATBehaviour, filtering: NATBehaviour) -> String {
        if noNAT {
            switch filtering {
            case .endpointIndependent: return "open"
            case .unknown: return "unknown"
            default: return "firewall"
            }
        }
        switch (mapping, filtering) {
        case (.addressDependent, _), (.addressAndPortDependent, _):
            return "symmetric"
        case (.endpointIndependent, .endpointIndependent):
            return "full cone"
        case (.endpointIndependent, .addressDependent):
            return "restricted cone"
        case (.endpointIndependent, .addressAndPortDependent):
            return "port-restricted cone"
        default:
            return "unknown"
        }
    }
}
