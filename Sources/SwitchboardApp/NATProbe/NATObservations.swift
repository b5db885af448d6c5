import STUNCodec

/// What the RFC 5780 §4 tests of `nat-probe` observed; ``NATVerdict`` turns it into behaviours.
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
    /// §4.6 binding lifetime: the longest idle time after which a mapping still took a reply, and the shortest after
    /// which it did not (nil: none failed up to the limit); nil when not tested.
    public var lifetime: NATBindingLifetime?

    public init(local: TransportAddress, mappedByPrimary: TransportAddress, otherAddress: TransportAddress) {
        self.local = local
        self.mappedByPrimary = mappedByPrimary
        self.otherAddress = otherAddress
    }
}

/// What the binding lifetime test found, in whole seconds of idleness.
public struct NATBindingLifetime: Sendable, Hashable, Codable {
    /// The mapping still worked after this long (0: not even after the shortest wait).
    public var atLeastSeconds: Int
    /// The mapping was gone after this long; nil when it outlived every wait tried.
    public var belowSeconds: Int?

    public init(atLeastSeconds: Int, belowSeconds: Int?) {
        self.atLeastSeconds = atLeastSeconds
        self.belowSeconds = belowSeconds
    }
}
