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
    public var peerAllowList: [IPAddressRange]
    public var peerDenyList: [IPAddressRange]
    /// Bytes per second one new allocation may relay (`turn.bandwidthLimitBytesPerSecond`); 0 = no cap.
    public var allocationBandwidthLimit: Int

    public init(
        staticUsers: [String: String],
        restSecrets: [String],
        userQuota: Int,
        clientAddressQuota: Int,
        totalQuota: Int,
        peerAllowList: [IPAddressRange],
        peerDenyList: [IPAddressRange],
        allocationBandwidthLimit: Int
    ) {
        self.staticUsers = staticUsers
        self.restSecrets = restSecrets
        self.userQuota = userQuota
        self.clientAddressQuota = clientAddressQuota
        self.totalQuota = totalQuota
        self.peerAllowList = peerAllowList
        self.peerDenyList = peerDenyList
        self.allocationBandwidthLimit = allocationBandwidthLimit
    }

    /// The reloadable settings of `configuration`.
    public init(_ configuration: TURNServerConfiguration) {
        self.init(
            staticUsers: configuration.staticUsers,
            restSecrets: configuration.restSecrets,
            userQuota: configuration.userQuota,
            clientAddressQuota: configuration.clientAddressQuota,
            totalQuota: configuration.totalQuota,
            peerAllowList: configuration.peerAllowList,
            peerDenyList: configuration.peerDenyList,
            allocationBandwidthLimit: configuration.allocationBandwidthLimit
        )
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
