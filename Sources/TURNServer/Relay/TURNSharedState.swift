import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

/// What every event loop's ``AllocationTable`` shares: configuration, authentication, peer policy, quotas and the
/// registries of live relay addresses and port reservations. Read-mostly; the locked parts are touched by control
/// requests only, never per relayed packet.
///
/// ``apply(_:)`` puts new reloadable settings (``TURNReloadableSettings``) in force part by part, each part replaced
/// whole under its own lock: the credentials (an immutable authenticator) with the bandwidth cap, the quota limits,
/// the peer policy. A request racing a reload may see one part old and another new; each is valid by itself.
final class TURNSharedState: Sendable {
    /// The configuration the service started with. Its reloadable fields are only the starting values: read
    /// ``authenticator``, ``allocationBandwidthLimit`` and the policy and quota boxes instead.
    let configuration: TURNServerConfiguration
    let metrics: TURNMetrics
    let logger: Logger
    let software: Software?
    let relayRegistry = RelayAddressRegistry()
    let reservations = ReservationRegistry()
    /// RFC 6062 connection ids and TCP relayed addresses, across event loops.
    let tcpConnections = TCPConnectionRegistry()
    let quota: NIOLockedValueBox<QuotaLedger>
    /// Replaced once the listeners are bound (their ports are part of the policy).
    let policy: NIOLockedValueBox<PeerAddressPolicy>
    /// Configured relay IPs (`turn.relay.addresses`).
    let relayIPs: [TransportAddress.IP]
    /// Unix time in seconds, injectable for tests.
    let unixNow: @Sendable () -> Int64
    /// The reloadable settings in force and the authenticator built from them.
    private let live: NIOLockedValueBox<Live>
    /// The nonce issuer, kept across reloads so that nonces handed out before one stay valid.
    private let nonces: NonceIssuer
    /// The server's own addresses, once bound (inputs of the peer policy, kept to rebuild it on a reload).
    private let ownAddresses = NIOLockedValueBox<(server: [TransportAddress], interfaces: [TransportAddress.IP])>(
        ([], [])
    )
    /// Serialises rebuilding the peer policy (from the settings and the addresses, which change separately).
    private let policyRebuild = NIOLock()

    private struct Live: Sendable {
        var settings: TURNReloadableSettings
        var authenticator: TURNAuthenticator
    }

    init(
        configuration: TURNServerConfiguration,
        metrics: TURNMetrics,
        logger: Logger,
        unixNow: @escaping @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
    ) {
        self.configuration = configuration
        self.metrics = metrics
        self.logger = logger
        self.unixNow = unixNow
        if let software = configuration.software, !software.isEmpty {
            self.software = Software(software)
        } else {
            self.software = nil
        }
        var nonceKey = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in nonceKey.indices {
            nonceKey[index] = UInt8.random(in: 0...255, using: &generator)
        }
        self.nonces = NonceIssuer(key: nonceKey, lifetime: configuration.nonceLifetime)
        let settings = configuration.reloadable
        self.live = NIOLockedValueBox(
            Live(
                settings: settings,
                authenticator: Self.makeAuthenticator(
                    configuration: configuration,
                    settings: settings,
                    nonces: self.nonces
                )
            )
        )
        self.quota = NIOLockedValueBox(
            QuotaLedger(
                perUser: configuration.userQuota,
                perClientAddress: configuration.clientAddressQuota,
                total: configuration.totalQuota
            )
        )
        self.policy = NIOLockedValueBox(
            Self.makePolicy(configuration: configuration, settings: settings, serverAddresses: [])
        )
        self.relayIPs = configuration.relayAddresses
    }

    static func makeAuthenticator(
        configuration: TURNServerConfiguration,
        settings: TURNReloadableSettings,
        nonces: NonceIssuer
    ) -> TURNAuthenticator {
        TURNAuthenticator(
            credentials: CredentialStore(
                realm: configuration.realm,
                staticUsers: settings.staticUsers,
                restSecrets: settings.restSecrets
            ),
            nonces: nonces,
            strictExpiry: configuration.strictExpiry
        )
    }

    static func makePolicy(
        configuration: TURNServerConfiguration,
        settings: TURNReloadableSettings,
        serverAddresses: [TransportAddress],
        interfaceIPs: [TransportAddress.IP] = []
    ) -> PeerAddressPolicy {
        PeerAddressPolicy(
            allow: settings.peerAllowList,
            deny: settings.peerDenyList,
            serverAddresses: serverAddresses,
            otherServerIPs: interfaceIPs + configuration.relayAddresses + configuration.externalAddresses.publicIPs
        )
    }

    /// The authenticator of the settings in force (RFC 8489 §9.2.4), for one request.
    var authenticator: TURNAuthenticator {
        self.live.withLockedValue { $0.authenticator }
    }

    /// The bandwidth cap given to a new allocation (`turn.bandwidthLimitBytesPerSecond`); 0 = none.
    var allocationBandwidthLimit: Int {
        self.live.withLockedValue { $0.settings.allocationBandwidthLimit }
    }

    /// The reloadable settings in force.
    var settings: TURNReloadableSettings {
        self.live.withLockedValue { $0.settings }
    }

    /// Puts new reloadable settings in force for the requests that follow (see ``TURNReloadableSettings``): a new
    /// authenticator sharing the nonce key, new quota limits over the same counts, a new peer policy.
    func apply(_ settings: TURNReloadableSettings) {
        let authenticator = Self.makeAuthenticator(
            configuration: self.configuration,
            settings: settings,
            nonces: self.nonces
        )
        self.live.withLockedValue { $0 = Live(settings: settings, authenticator: authenticator) }
        self.quota.withLockedValue { quota in
            quota.perUser = settings.userQuota
            quota.perClientAddress = settings.clientAddressQuota
            quota.total = settings.totalQuota
        }
        self.rebuildPolicy()
    }

    /// Sets the server's own addresses (every listening socket, wildcard addresses expanded to the host's
    /// interface addresses, and every interface address) once they are known.
    func updateServerAddresses(_ addresses: [TransportAddress], interfaceIPs: [TransportAddress.IP]) {
        self.ownAddresses.withLockedValue { $0 = (addresses, interfaceIPs) }
        self.rebuildPolicy()
    }

    /// Builds the peer policy from the settings and the addresses in force.
    private func rebuildPolicy() {
        self.policyRebuild.withLock {
            let addresses = self.ownAddresses.withLockedValue { $0 }
            let policy = Self.makePolicy(
                configuration: self.configuration,
                settings: self.settings,
                serverAddresses: addresses.server,
                interfaceIPs: addresses.interfaces
            )
            self.policy.withLockedValue { $0 = policy }
        }
    }

    /// Whether `ip` is one of the server's own (permissions for it are checked per datagram).
    func isServerIP(_ ip: TransportAddress.IP) -> Bool {
        self.policy.withLockedValue { $0.isServerIP(ip) }
    }

    /// A peer at another allocation's advertised (public) relay address counts as that live relay address.
    func checkPeer(_ peer: TransportAddress) -> PeerAddressPolicy.Verdict {
        let isRelay =
            self.relayRegistry.contains(peer)
            || self.relayRegistry.contains(self.configuration.externalAddresses.bound(peer))
        return self.policy.withLockedValue { $0.check(peer, isLiveRelayAddress: isRelay) }
    }
}
