import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

/// What every event loop's ``AllocationTable`` shares: configuration, authentication, peer policy, quotas and the
/// registries of live relay addresses and port reservations. Read-mostly; the locked parts are touched by control
/// requests only, never per relayed packet.
final class TURNSharedState: Sendable {
    let configuration: TURNServerConfiguration
    let authenticator: TURNAuthenticator
    let metrics: TURNMetrics
    let logger: Logger
    let software: Software?
    let relayRegistry = RelayAddressRegistry()
    let reservations = ReservationRegistry()
    let quota: NIOLockedValueBox<QuotaLedger>
    /// Replaced once the listeners are bound (their ports are part of the policy).
    let policy: NIOLockedValueBox<PeerAddressPolicy>
    /// Configured relay IPs (`turn.relay.addresses`).
    let relayIPs: [TransportAddress.IP]
    /// Unix time in seconds, injectable for tests.
    let unixNow: @Sendable () -> Int64

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
        self.authenticator = TURNAuthenticator(
            credentials: CredentialStore(
                realm: configuration.realm,
                staticUsers: configuration.staticUsers,
                restSecrets: configuration.restSecrets
            ),
            nonces: NonceIssuer(key: nonceKey, lifetime: configuration.nonceLifetime),
            strictExpiry: configuration.strictExpiry
        )
        self.quota = NIOLockedValueBox(
            QuotaLedger(
                perUser: configuration.userQuota,
                perClientAddress: configuration.clientAddressQuota,
                total: configuration.totalQuota
            )
        )
        self.policy = NIOLockedValueBox(Self.makePolicy(configuration: configuration, serverAddresses: []))
        self.relayIPs = configuration.relayAddresses.compactMap { text in
            (try? SocketAddress(ipAddress: text, port: 0)).flatMap(TransportAddress.init)?.ip
        }
    }

    static func makePolicy(
        configuration: TURNServerConfiguration,
        serverAddresses: [TransportAddress],
        interfaceIPs: [TransportAddress.IP] = []
    ) -> PeerAddressPolicy {
        let relayIPs = configuration.relayAddresses.compactMap { text in
            (try? SocketAddress(ipAddress: text, port: 0)).flatMap(TransportAddress.init)?.ip
        }
        return PeerAddressPolicy(
            allow: configuration.peerAllowList.compactMap(IPAddressRange.init),
            deny: configuration.peerDenyList.compactMap(IPAddressRange.init),
            serverAddresses: serverAddresses,
            otherServerIPs: interfaceIPs + relayIPs + configuration.externalAddresses.publicIPs
        )
    }

    /// Sets the server's own addresses (every listening socket, wildcard addresses expanded to the host's
    /// interface addresses, and every interface address) once they are known.
    func updateServerAddresses(_ addresses: [TransportAddress], interfaceIPs: [TransportAddress.IP]) {
        let policy = Self.makePolicy(
            configuration: self.configuration,
            serverAddresses: addresses,
            interfaceIPs: interfaceIPs
        )
        self.policy.withLockedValue { $0 = policy }
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
