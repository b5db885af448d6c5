/// An RFC 4787 mapping or filtering behaviour.
public enum NATBehaviour: String, Sendable, Hashable, Codable {
    case endpointIndependent = "endpoint-independent"
    case addressDependent = "address-dependent"
    case addressAndPortDependent = "address-and-port-dependent"
    /// The tests needed could not run (the server has one IP, or a test got no answer).
    case unknown
}
