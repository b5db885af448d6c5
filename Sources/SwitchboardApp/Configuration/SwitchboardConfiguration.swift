import Cluster

/// The whole, validated configuration of one Switchboard process, one value per component. Built by
/// ``ConfigurationLoader`` from the defaults, a YAML file, the environment and flags; see
/// `turn-config/switchboard.yaml` for every key.
public struct SwitchboardConfiguration: Sendable {
    /// `threads`, `process.*`
    public var process: ProcessConfiguration
    /// `log.*`
    public var log: LogConfiguration
    /// `http.*`
    public var http: HTTPConfiguration
    /// `tls.*`
    public var tls: TLSListenerConfiguration
    /// `stun.*`
    public var stun: STUNConfiguration
    /// `shared.*`
    public var shared: SharedPortConfiguration
    /// `signaling.*`
    public var signaling: SignalingConfiguration
    /// `dialects.*`
    public var dialects: DialectsConfiguration
    /// `cluster.*`: `nil` for a single node.
    public var cluster: ClusterConfiguration?
    /// `ice.publicAddress`, `ice.credentialTTLSeconds`
    public var ice: ICEConfiguration
    /// `ice.api.*`, `admin.*`, `http.allowedHosts`
    public var access: AccessConfiguration
    /// `turn.*`
    public var turn: TURNConfiguration
    /// Every key's value, as loaded: what a reload compares (``ConfigurationReloadPlan``).
    public let values: ConfigurationValues

    /// The embedded default configuration: every key at its documented default.
    public static var defaults: SwitchboardConfiguration {
        // The schema's defaults are valid by construction (a unit test checks it).
        try! ConfigurationLoader().finish()
    }

    /// Reads the components in order: each checks its own keys, some against an earlier component (shared against
    /// tls, turn against stun and ice); no two TCP listeners may share a port.
    init(values: ConfigurationValues) throws(ConfigurationError) {
        self.values = values
        self.process = try ProcessConfiguration(values)
        self.log = try LogConfiguration(values)
        self.http = try HTTPConfiguration(values)
        self.stun = try STUNConfiguration(values)
        self.signaling = try SignalingConfiguration(values)
        self.tls = try TLSListenerConfiguration(values)
        self.shared = try SharedPortConfiguration(values, tls: self.tls)
        self.dialects = try DialectsConfiguration(values)
        self.cluster = try ClusterConfiguration(values, httpPort: self.http.port)
        self.ice = try ICEConfiguration(values)
        self.access = try AccessConfiguration(values)
        try TCPListenerPorts(self.http, self.tls, self.access, self.stun, self.shared, self.dialects).check(values)
        self.turn = try TURNConfiguration(
            values,
            listeningAddresses: self.stun.addresses,
            announced: self.ice.publicAddress
        )
        if self.cluster != nil && self.turn.enabled && self.turn.secrets.isEmpty {
            // Each node would sign with its own random secret, so a credential from one node would fail on another.
            throw values.error(
                "cluster.postgresURL",
                "a cluster needs turn.secrets, the same on every node, so that TURN credentials work on any node"
            )
        }
    }

    /// Whether TURN over TLS is served: a port (`stun.tlsPort`) and a certificate (`tls.certificateFile`).
    public var turnsEnabled: Bool {
        self.stun.tlsPort > 0 && self.tls.hasCertificate
    }
}
