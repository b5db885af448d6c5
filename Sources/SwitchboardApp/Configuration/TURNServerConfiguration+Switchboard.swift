import NIOCore
import TURNServer

extension TURNServerConfiguration {
    /// The STUN/TURN service's settings from the `stun.*`, `turn.*` and `tls.*` keys, with `restSecrets` (the
    /// configured ones or the one generated at start). `tcpMaxConnections` is taken as configured.
    init(_ configuration: SwitchboardConfiguration, restSecrets: [String]) {
        let stun = configuration.stun
        let turn = configuration.turn
        self.init(
            addresses: stun.addresses,
            port: stun.port,
            udp: stun.udp,
            tcp: stun.tcp,
            udpSocketsPerAddress: stun.udpSocketsPerAddress,
            software: stun.software,
            tcpIdleTimeout: .seconds(Int64(stun.tcpIdleTimeoutSeconds)),
            tcpOutboundBufferBytes: stun.tcpOutboundBufferBytes,
            tcpSendTimeout: .seconds(Int64(stun.tcpSendTimeoutSeconds)),
            turnEnabled: turn.enabled,
            realm: turn.realm,
            strictExpiry: turn.strictExpiry,
            nonceLifetime: .seconds(turn.nonceLifetimeSeconds),
            lifetimes: TURNLifetimes(
                defaultAllocation: .seconds(Int64(turn.defaultLifetimeSeconds)),
                maximumAllocation: .seconds(Int64(turn.maxLifetimeSeconds)),
                permission: .seconds(Int64(turn.permissionLifetimeSeconds)),
                channel: .seconds(Int64(turn.channelLifetimeSeconds))
            ),
            relayPorts: turn.relayPorts,
            relayAddresses: turn.relayAddresses,
            externalAddresses: turn.externalAddresses,
            acceptRFC5766ChannelNumbers: turn.acceptRFC5766ChannelNumbers
        )
        self.reloadable = TURNReloadableSettings(turn, restSecrets: restSecrets)
        self.tcpFramingTimeout = .seconds(Int64(stun.tcpFramingTimeoutSeconds))
        self.tcpRelay = turn.tcpRelay
        self.natDiscovery = stun.natDiscovery?.endpoints
        self.tlsPort = configuration.turnsEnabled ? stun.tlsPort : 0
        self.tcpMaxConnections = stun.tcpMaxConnections
        self.tcpMaxConnectionsPerAddress = stun.tcpMaxConnectionsPerAddress
    }
}

extension TURNReloadableSettings {
    /// The settings of the `turn.*` keys a running service takes on: the same mapping at start and on a reload.
    init(_ turn: TURNConfiguration, restSecrets: [String]) {
        self.init(
            staticUsers: turn.users,
            restSecrets: restSecrets,
            userQuota: turn.userQuota,
            clientAddressQuota: turn.clientAddressQuota,
            totalQuota: turn.totalQuota,
            peerAllowList: turn.peerAllowList,
            peerDenyList: turn.peerDenyList,
            allocationBandwidthLimit: turn.bandwidthLimit
        )
    }
}
