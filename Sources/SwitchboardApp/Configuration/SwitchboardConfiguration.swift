import Logging
import STUNCodec
import TURNServer

/// The whole, validated configuration of one Switchboard process. Built by ``ConfigurationLoader`` from the
/// defaults, a YAML file, the environment and flags; see `turn-config/switchboard.yaml` for every key.
public struct SwitchboardConfiguration: Sendable {
    public enum LogFormat: String, Sendable {
        case text
        case json
    }

    /// `threads`
    public var threads: Int
    /// `process.pidFile` (empty: none)
    public var processPIDFile: String
    /// `log.level`
    public var logLevel: Logger.Level
    /// `log.format`
    public var logFormat: LogFormat
    /// `http.host`
    public var httpHost: String
    /// `http.port`
    public var httpPort: Int
    /// `http.requestHeadTimeoutSeconds`, `http.idleTimeoutSeconds`
    public var httpRequestHeadTimeoutSeconds: Int
    public var httpIdleTimeoutSeconds: Int
    /// `http.maxConnections`, `http.maxConnectionsPerAddress` (0: no cap)
    public var httpMaxConnections: Int
    public var httpMaxConnectionsPerAddress: Int
    /// `stun.addresses`
    public var stunAddresses: [String]
    /// `stun.port`
    public var stunPort: Int
    /// `stun.udp`
    public var stunUDP: Bool
    /// `stun.tcp`
    public var stunTCP: Bool
    /// `stun.tlsPort` (0 is off; used only when `tls.certificateFile` is set)
    public var stunTLSPort: Int
    /// `shared.port` (0 is off), `shared.protocols`, `shared.sniffTimeoutSeconds`
    public var sharedPort: Int
    public var sharedProtocols: [String]
    public var sharedSniffTimeoutSeconds: Int
    /// `stun.udpSocketsPerAddress`
    public var stunUDPSocketsPerAddress: Int
    /// `stun.software`
    public var stunSoftware: String
    /// RFC 5780 discovery (`stun.alternateAddress`, `stun.alternatePort`), resolved; nil when both are unset.
    public var stunNATDiscovery: NATDiscoveryAddresses?
    /// `stun.tcpIdleTimeoutSeconds`, `stun.tcpFramingTimeoutSeconds`
    public var stunTCPIdleTimeoutSeconds: Int
    public var stunTCPFramingTimeoutSeconds: Int
    /// `stun.tcpMaxConnections`, `stun.tcpMaxConnectionsPerAddress` (0: no cap)
    public var stunTCPMaxConnections: Int
    public var stunTCPMaxConnectionsPerAddress: Int
    /// `stun.tcpOutboundBufferBytes`
    public var stunTCPOutboundBufferBytes: Int
    /// `stun.tcpSendTimeoutSeconds`
    public var stunTCPSendTimeoutSeconds: Int
    /// `turn.realm`
    public var turnRealm: String
    /// `turn.secrets`; empty means "generate one at start".
    public var turnSecrets: [String]
    /// `tls.port` (0 is off), `tls.certificateFile`, `tls.privateKeyFile`
    public var tlsPort: Int
    public var tlsCertificateFile: String
    public var tlsPrivateKeyFile: String
    /// `tls.watchIntervalSeconds` (0: the files are read again only by a reload)
    public var tlsWatchIntervalSeconds: Int
    /// `dialects.selection`
    public var dialectSelection: String
    /// `dialects.pinnedPaths`: Socket.IO path → dialect name.
    public var dialectPinnedPaths: [(path: String, dialect: String)]
    /// `dialects.chatroomGraceMilliseconds`
    public var dialectChatroomGraceMilliseconds: Int
    /// `dialects.maxMembersPerRoom`
    public var dialectMaxMembersPerRoom: Int
    /// `dialects.eventsPerSecond`
    public var dialectEventsPerSecond: Int
    /// `dialects.rawWebSocketPath`; nil when empty.
    public var dialectRawWebSocketPath: String?
    /// `dialects.rawWebSocketPort`; 0 is off.
    public var dialectRawWebSocketPort: Int
    /// Where `dialects.rawWebSocketPort` was set, for the error when it cannot be bound.
    public var dialectRawWebSocketPortOrigin: ConfigurationOrigin
    /// `ice.publicAddress`; nil when empty.
    public var icePublicAddress: String?
    /// `ice.credentialTTLSeconds`
    public var iceCredentialTTLSeconds: Int
    /// `turn.enabled`
    public var turnEnabled: Bool
    /// `turn.users`, username to password.
    public var turnUsers: [String: String]
    /// `turn.strictExpiry`
    public var turnStrictExpiry: Bool
    /// `turn.nonceLifetimeSeconds`
    public var turnNonceLifetimeSeconds: Int
    /// `turn.defaultLifetimeSeconds`, `turn.maxLifetimeSeconds`, `turn.permissionLifetimeSeconds`,
    /// `turn.channelLifetimeSeconds`
    public var turnDefaultLifetimeSeconds: Int
    public var turnMaxLifetimeSeconds: Int
    public var turnPermissionLifetimeSeconds: Int
    public var turnChannelLifetimeSeconds: Int
    /// `turn.relay.portMin` ... `turn.relay.portMax`
    public var turnRelayPorts: ClosedRange<Int>
    /// `turn.relay.addresses`
    public var turnRelayAddresses: [String]
    /// `turn.relay.externalAddresses`, with `ice.publicAddress` among the announced IPs when it is one.
    public var turnExternalAddresses: ExternalAddressMap
    /// The public IP (as written, IPv4 first) of `turn.relay.externalAddresses`, for the ICE servers handed out.
    public var turnExternalHost: String?
    /// `turn.quota.perUser`, `turn.quota.total`, `turn.quota.perClientAddress`
    public var turnUserQuota: Int
    public var turnTotalQuota: Int
    public var turnClientAddressQuota: Int
    /// `turn.peers.allow`, `turn.peers.deny`
    public var turnPeerAllowList: [String]
    public var turnPeerDenyList: [String]
    /// `turn.bandwidthLimitBytesPerSecond`
    public var turnBandwidthLimit: Int
    /// `turn.acceptRFC5766ChannelNumbers`
    public var turnAcceptRFC5766ChannelNumbers: Bool
    /// `turn.tcpRelay`
    public var turnTCPRelay: Bool
    /// `ice.api.*`, `admin.*`, `http.allowedHosts`
    public var access: AccessConfiguration
    /// Every key's resolved value, for components that read their own keys (see `Signaling/`).
    public let values: [String: ConfigurationValue]

    /// The embedded default configuration: every key at its documented default.
    public static var defaults: SwitchboardConfiguration {
        // The schema's defaults are valid by construction (a unit test checks it).
        try! ConfigurationLoader().finish()
    }

    init(values: [String: (value: ConfigurationValue, origin: ConfigurationOrigin)]) throws(ConfigurationError) {
        func string(_ path: String) -> String {
            guard case .string(let value) = values[path]?.value else { preconditionFailure("\(path) is not a string") }
            return value
        }
        func integer(_ path: String) -> Int {
            guard case .integer(let value) = values[path]?.value else {
                preconditionFailure("\(path) is not an integer")
            }
            return value
        }
        func boolean(_ path: String) -> Bool {
            guard case .boolean(let value) = values[path]?.value else {
                preconditionFailure("\(path) is not a boolean")
            }
            return value
        }
        func list(_ path: String) -> [String] {
            guard case .stringList(let value) = values[path]?.value else {
                preconditionFailure("\(path) is not a list")
            }
            return value
        }

        self.values = values.mapValues(\.value)
        self.threads = integer("threads")
        self.processPIDFile = string("process.pidFile")
        self.logLevel = Logger.Level(rawValue: string("log.level")) ?? .info
        self.logFormat = LogFormat(rawValue: string("log.format")) ?? .text
        self.httpHost = string("http.host")
        self.httpPort = integer("http.port")
        self.httpRequestHeadTimeoutSeconds = integer("http.requestHeadTimeoutSeconds")
        self.httpIdleTimeoutSeconds = integer("http.idleTimeoutSeconds")
        self.httpMaxConnections = integer("http.maxConnections")
        self.httpMaxConnectionsPerAddress = integer("http.maxConnectionsPerAddress")
        self.stunAddresses = list("stun.addresses")
        self.stunPort = integer("stun.port")
        self.stunUDP = boolean("stun.udp")
        self.stunTCP = boolean("stun.tcp")
        self.stunTLSPort = integer("stun.tlsPort")
        self.stunUDPSocketsPerAddress = integer("stun.udpSocketsPerAddress")
        self.stunSoftware = string("stun.software")
        self.stunTCPIdleTimeoutSeconds = integer("stun.tcpIdleTimeoutSeconds")
        self.stunTCPFramingTimeoutSeconds = integer("stun.tcpFramingTimeoutSeconds")
        self.stunTCPMaxConnections = integer("stun.tcpMaxConnections")
        self.stunTCPMaxConnectionsPerAddress = integer("stun.tcpMaxConnectionsPerAddress")
        // A per-address cap above the total could never apply: most likely two values swapped.
        for (total, perAddress) in [
            ("http.maxConnections", "http.maxConnectionsPerAddress"),
            ("stun.tcpMaxConnections", "stun.tcpMaxConnectionsPerAddress"),
            ("signaling.maxSessions", "signaling.maxSessionsPerAddress"),
        ] where integer(total) > 0 && integer(perAddress) > integer(total) {
            throw ConfigurationError(
                key: perAddress,
                origin: values[perAddress]?.origin ?? .defaultValue,
                message: "\(integer(perAddress)) is above \(total) (\(integer(total)))"
            )
        }
        self.stunTCPOutboundBufferBytes = integer("stun.tcpOutboundBufferBytes")
        self.stunTCPSendTimeoutSeconds = integer("stun.tcpSendTimeoutSeconds")
        self.turnRealm = string("turn.realm")
        self.turnSecrets = list("turn.secrets")
        self.turnEnabled = boolean("turn.enabled")
        self.tlsPort = integer("tls.port")
        self.tlsCertificateFile = string("tls.certificateFile")
        self.tlsPrivateKeyFile = string("tls.privateKeyFile")
        self.tlsWatchIntervalSeconds = integer("tls.watchIntervalSeconds")
        if self.tlsPort > 0 {
            for key in ["tls.certificateFile", "tls.privateKeyFile"] where string(key).isEmpty {
                throw ConfigurationError(
                    key: key,
                    origin: values[key]?.origin ?? .defaultValue,
                    message: "is required when tls.port is set"
                )
            }
        }
        if !self.tlsCertificateFile.isEmpty && self.tlsPrivateKeyFile.isEmpty {
            throw ConfigurationError(
                key: "tls.privateKeyFile",
                origin: Self.setOrigin(of: ["tls.privateKeyFile", "tls.certificateFile"], in: values),
                message: "is required when tls.certificateFile is set"
            )
        }
        self.sharedPort = integer("shared.port")
        self.sharedProtocols = list("shared.protocols")
        self.sharedSniffTimeoutSeconds = integer("shared.sniffTimeoutSeconds")
        if self.sharedPort > 0 {
            for name in self.sharedProtocols where !["http", "turn", "https", "turns"].contains(name) {
                throw ConfigurationError(
                    key: "shared.protocols",
                    origin: values["shared.protocols"]?.origin ?? .defaultValue,
                    message: "'\(name)' is none of http, turn, https, turns"
                )
            }
            if self.tlsCertificateFile.isEmpty, let name = self.sharedProtocols.first(where: { $0.hasSuffix("s") }) {
                throw ConfigurationError(
                    key: "shared.protocols",
                    origin: Self.setOrigin(of: ["shared.protocols", "shared.port"], in: values),
                    message: "'\(name)' needs tls.certificateFile and tls.privateKeyFile"
                )
            }
        }
        self.dialectSelection = string("dialects.selection")
        var pinned: [(path: String, dialect: String)] = []
        for entry in list("dialects.pinnedPaths") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("/"),
                ["chatroom", "webrtcroom", "socketim"].contains(parts[1])
            else {
                throw ConfigurationError(
                    key: "dialects.pinnedPaths",
                    origin: values["dialects.pinnedPaths"]?.origin ?? .defaultValue,
                    message: "'\(entry)' is not PATH=DIALECT with a path starting with / and a dialect among "
                        + "chatroom, webrtcroom, socketim"
                )
            }
            pinned.append((parts[0].hasSuffix("/") ? parts[0] : parts[0] + "/", parts[1]))
        }
        self.dialectPinnedPaths = pinned
        self.dialectChatroomGraceMilliseconds = integer("dialects.chatroomGraceMilliseconds")
        self.dialectMaxMembersPerRoom = integer("dialects.maxMembersPerRoom")
        self.dialectEventsPerSecond = integer("dialects.eventsPerSecond")
        let rawPath = string("dialects.rawWebSocketPath")
        self.dialectRawWebSocketPath = rawPath.isEmpty ? nil : rawPath
        self.dialectRawWebSocketPort = integer("dialects.rawWebSocketPort")
        self.dialectRawWebSocketPortOrigin = values["dialects.rawWebSocketPort"]?.origin ?? .defaultValue
        let publicAddress = string("ice.publicAddress")
        self.icePublicAddress = publicAddress.isEmpty ? nil : publicAddress
        self.iceCredentialTTLSeconds = integer("ice.credentialTTLSeconds")
        self.access = try AccessConfiguration(values: values)
        var tcpPorts = TCPListenerPorts()
        tcpPorts.add("http.port", port: self.httpPort, zeroIsOff: false)
        tcpPorts.add("tls.port", port: self.tlsPort, zeroIsOff: true)
        tcpPorts.add("admin.port", port: self.access.adminPort, zeroIsOff: true)
        tcpPorts.add("stun.port", port: self.stunPort, on: self.stunTCP, zeroIsOff: false)
        tcpPorts.add("stun.tlsPort", port: self.stunTLSPort, on: !self.tlsCertificateFile.isEmpty, zeroIsOff: true)
        tcpPorts.add("shared.port", port: self.sharedPort, zeroIsOff: true)
        tcpPorts.add("dialects.rawWebSocketPort", port: self.dialectRawWebSocketPort, zeroIsOff: true)
        if let (listener, other) = tcpPorts.firstClash() {
            throw ConfigurationError(
                key: listener.key,
                origin: Self.setOrigin(of: [listener.key, other.key], in: values),
                message: "\(listener.port) is also \(other.key); pick another port"
                    + (listener.zeroIsOff ? " or 0 (off)" : "")
            )
        }
        self.turnStrictExpiry = boolean("turn.strictExpiry")
        self.turnNonceLifetimeSeconds = integer("turn.nonceLifetimeSeconds")
        self.turnDefaultLifetimeSeconds = integer("turn.defaultLifetimeSeconds")
        self.turnMaxLifetimeSeconds = integer("turn.maxLifetimeSeconds")
        self.turnPermissionLifetimeSeconds = integer("turn.permissionLifetimeSeconds")
        self.turnChannelLifetimeSeconds = integer("turn.channelLifetimeSeconds")
        self.turnRelayAddresses = list("turn.relay.addresses")
        let external = try Self.externalAddresses(
            list("turn.relay.externalAddresses"),
            announced: self.icePublicAddress,
            relayAddresses: self.turnRelayAddresses,
            listeningAddresses: list("stun.addresses"),
            origin: values["turn.relay.externalAddresses"]?.origin ?? .defaultValue
        )
        self.turnExternalAddresses = external.map
        self.turnExternalHost = external.host
        self.turnUserQuota = integer("turn.quota.perUser")
        self.turnTotalQuota = integer("turn.quota.total")
        self.turnClientAddressQuota = integer("turn.quota.perClientAddress")
        self.turnPeerAllowList = list("turn.peers.allow")
        self.turnPeerDenyList = list("turn.peers.deny")
        self.turnBandwidthLimit = integer("turn.bandwidthLimitBytesPerSecond")
        self.turnAcceptRFC5766ChannelNumbers = boolean("turn.acceptRFC5766ChannelNumbers")
        self.turnTCPRelay = boolean("turn.tcpRelay")
        let portMin = integer("turn.relay.portMin")
        let portMax = integer("turn.relay.portMax")
        guard portMin <= portMax else {
            throw ConfigurationError(
                key: "turn.relay.portMin",
                origin: values["turn.relay.portMin"]?.origin ?? .defaultValue,
                message: "\(portMin) is above turn.relay.portMax (\(portMax))"
            )
        }
        self.turnRelayPorts = portMin...portMax
        guard self.turnDefaultLifetimeSeconds <= self.turnMaxLifetimeSeconds else {
            throw ConfigurationError(
                key: "turn.defaultLifetimeSeconds",
                origin: values["turn.defaultLifetimeSeconds"]?.origin ?? .defaultValue,
                message: "is above turn.maxLifetimeSeconds"
            )
        }
        var users: [String: String] = [:]
        for entry in list("turn.users") {
            guard let colon = entry.firstIndex(of: ":"), colon != entry.startIndex else {
                // The entry holds a password: name neither.
                throw ConfigurationError(
                    key: "turn.users",
                    origin: values["turn.users"]?.origin ?? .defaultValue,
                    message: "each entry must be \"username:password\""
                )
            }
            users[String(entry[..<colon])] = String(entry[entry.index(after: colon)...])
        }
        self.turnUsers = users

        if self.stunAddresses.isEmpty && (self.stunUDP || self.stunTCP) {
            throw ConfigurationError(
                key: "stun.addresses",
                origin: values["stun.addresses"]?.origin ?? .defaultValue,
                message: "is empty while stun.udp or stun.tcp is on; list at least one address or turn both off"
            )
        }
        self.stunNATDiscovery = try NATDiscoveryAddresses.resolve(values: values)
    }

    /// Parses `turn.relay.externalAddresses` and checks that each private address is one a relay binds: the
    /// `turn.relay.addresses` entry of its family, else a listening address of that family (any, under a wildcard).
    static func externalAddresses(
        _ entries: [String],
        announced: String?,
        relayAddresses: [String],
        listeningAddresses: [String],
        origin: ConfigurationOrigin
    ) throws(ConfigurationError) -> (map: ExternalAddressMap, host: String?) {
        let key = "turn.relay.externalAddresses"
        let announcedIPs = announced.flatMap(ExternalAddressMap.ip).map { [$0] } ?? []
        let map: ExternalAddressMap
        do throws(ExternalAddressMap.ParseError) {
            map = try ExternalAddressMap.parse(entries, announcedIPs: announcedIPs)
        } catch {
            throw ConfigurationError(key: key, origin: origin, message: error.message)
        }
        func ips(_ texts: [String], _ family: STUNAddressFamily) -> [TransportAddress.IP] {
            texts.compactMap(ExternalAddressMap.ip).filter { ExternalAddressMap.family($0) == family }
        }
        for family in STUNAddressFamily.allCases {
            guard map.publicIP(family: family) != nil else {
                continue
            }
            let name = family == .ipv4 ? "IPv4" : "IPv6"
            let relays = ips(relayAddresses, family)
            let listening = ips(listeningAddresses, family)
            let wildcard: TransportAddress.IP = family == .ipv4 ? .v4(0) : .v6(0, 0)
            let bindable = relays.isEmpty ? listening : relays
            guard !bindable.isEmpty else {
                throw ConfigurationError(
                    key: key,
                    origin: origin,
                    message: "maps an \(name) address, but neither turn.relay.addresses nor stun.addresses has one"
                )
            }
            guard let privateIP = map.privateIP(family: family) else {
                continue
            }
            let anyInterface = relays.isEmpty && listening.contains(wildcard)
            guard anyInterface || bindable.contains(privateIP) else {
                let source = relays.isEmpty ? "stun.addresses" : "turn.relay.addresses"
                throw ConfigurationError(
                    key: key,
                    origin: origin,
                    message: "the private \(name) address is not one the relay binds (\(source): "
                        + "\((relays.isEmpty ? listeningAddresses : relayAddresses).joined(separator: ", ")))"
                )
            }
        }
        let publicTexts = entries.map { String($0.split(separator: "/", maxSplits: 1)[0]) }
        let host = publicTexts.first { !$0.contains(":") } ?? publicTexts.first
        return (map, host)
    }
}

extension SwitchboardConfiguration {
    /// Where the first of `keys` that is not at its default was set: the line a cross-key error points at.
    static func setOrigin(
        of keys: [String],
        in values: [String: (value: ConfigurationValue, origin: ConfigurationOrigin)]
    ) -> ConfigurationOrigin {
        keys.lazy.compactMap { values[$0]?.origin }.first { $0 != .defaultValue } ?? .defaultValue
    }

    /// Whether TURN over TLS is served: a port (`stun.tlsPort`) and a certificate (`tls.certificateFile`).
    public var turnsEnabled: Bool {
        self.stunTLSPort > 0 && !self.tlsCertificateFile.isEmpty
    }
}
