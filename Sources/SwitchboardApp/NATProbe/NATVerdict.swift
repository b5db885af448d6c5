import STUNCodec

/// The verdict of a probe: the RFC 4787 behaviours (§4.1 mapping, §5 filtering) the observations imply. Pure, so
/// the decision is tested without a network.
public struct NATVerdict: Sendable, Hashable, Codable {
    /// The mapped address is the socket's own: no address translation on the path.
    public var noNAT: Bool
    public var mapping: NATBehaviour
    public var filtering: NATBehaviour
    public var hairpinning: Bool?
    public var lifetime: NATBindingLifetime?
    /// The pre-RFC 4787 name (RFC 3489 §5): "full cone", "restricted cone", "port-restricted cone", "symmetric",
    /// "open" or "firewall" (no NAT), or "unknown".
    public var classicName: String

    /// Decides from the observations (RFC 5780 §4.3 mapping, §4.4 filtering).
    public init(_ observed: NATObservations) {
        self.noNAT = observed.mappedByPrimary == observed.local
        self.mapping = Self.mapping(observed)
        self.filtering = Self.filtering(observed)
        self.hairpinning = observed.hairpinning
        self.lifetime = observed.lifetime
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
