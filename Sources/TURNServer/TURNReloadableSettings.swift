/// The part of ``TURNServerConfiguration`` a running ``TURNService`` takes on without a restart
/// (``TURNService/apply(_:)``): who may allocate, how many allocations, to which peers, how fast.
///
/// New settings govern new requests only. Allocations already made keep running: they keep the long-term key their
/// Allocate was authenticated with (RFC 8656 §5: later requests on an allocation must use the same credentials as
/// the Allocate), their bandwidth cap and their installed permissions until those expire; quotas are checked
/// against the new limits when the next allocation asks for a place, never by closing existing ones.
public struct TURNReloadableSettings: Sendable, Equatable {
    /// Static long-term users, username to password (`turn.users`).
    public var staticUsers: [String: String]
    /// TURN REST API shared secrets (`turn.secrets`).
    public var restSecrets: [String]
    /// Allocations per user, per client address and in total (`turn.quota.*`; 0 = unlimited).
    public var userQuota: Int
    public var clientAddressQuota: Int
    public var totalQuota: Int
    /// Peer allow and deny lists (`turn.peers.allow`, `turn.peers.deny`).
    public var peerAllowList: [String]
    public var peerDenyList: [String]
    /// Bytes per second one new allocation may relay (`turn.bandwidthLimitBytesPerSecond`); 0 = no cap.
    public var allocationBandwidthLimit: Int

    /// The reloadable settings of `configuration`.
    public init(_ configuration: TURNServerConfiguration) {
        self.staticUsers = configuration.staticUsers
        self.restSecrets = configuration.restSecrets
        self.userQuota = configuration.userQuota
        self.clientAddressQuota = configuration.clientAddressQuota
        self.totalQuota = configuration.totalQuota
        self.peerAllowList = configuration.peerAllowList
        self.peerDenyList = configuration.peerDenyList
        self.allocationBandwidthLimit = configuration.allocationBandwidthLimit
    }
}

extension TURNServerConfiguration {
    /// The settings a running service can take on without a restart; setting them replaces those fields.
    public var reloadable: TURNReloadableSettings {
        get { TURNReloadableSettings(self) }
        set {
            self.staticUsers = newValue.staticUsers
            self.restSecrets = newValue.restSecrets
            self.userQuota = newValue.userQuota
            self.clientAddressQuota = newValue.clientAddressQuota
            self.totalQuota = newValue.totalQuota
            self.peerAllowList = newValue.peerAllowList
            self.peerDenyList = newValue.peerDenyList
            self.allocationBandwidthLimit = newValue.allocationBandwidthLimit
        }
    }
}
