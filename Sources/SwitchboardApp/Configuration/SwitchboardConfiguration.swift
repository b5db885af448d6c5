import Logging

/// The whole, validated configuration of one Switchboard process. Built by ``ConfigurationLoader`` from the
/// defaults, a YAML file, the environment and flags; see `turn-config/switchboard.yaml` for every key.
public struct SwitchboardConfiguration: Sendable {
    public enum LogFormat: String, Sendable {
        case text
        case json
    }

    /// `threads`
    public var threads: Int
    /// `log.level`
    public var logLevel: Logger.Level
    /// `log.format`
    public var logFormat: LogFormat
    /// `http.host`
    public var httpHost: String
    /// `http.port`
    public var httpPort: Int
    /// `stun.addresses`
    public var stunAddresses: [String]
    /// `stun.port`
    public var stunPort: Int
    /// `stun.udp`
    public var stunUDP: Bool
    /// `stun.tcp`
    public var stunTCP: Bool
    /// `stun.udpSocketsPerAddress`
    public var stunUDPSocketsPerAddress: Int
    /// `stun.software`
    public var stunSoftware: String
    /// `stun.tcpIdleTimeoutSeconds`
    public var stunTCPIdleTimeoutSeconds: Int
    /// `turn.realm`
    public var turnRealm: String
    /// `turn.secrets`; empty means "generate one at start".
    public var turnSecrets: [String]

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

        self.threads = integer("threads")
        self.logLevel = Logger.Level(rawValue: string("log.level")) ?? .info
        self.logFormat = LogFormat(rawValue: string("log.format")) ?? .text
        self.httpHost = string("http.host")
        self.httpPort = integer("http.port")
        self.stunAddresses = list("stun.addresses")
        self.stunPort = integer("stun.port")
        self.stunUDP = boolean("stun.udp")
        self.stunTCP = boolean("stun.tcp")
        self.stunUDPSocketsPerAddress = integer("stun.udpSocketsPerAddress")
        self.stunSoftware = string("stun.software")
        self.stunTCPIdleTimeoutSeconds = integer("stun.tcpIdleTimeoutSeconds")
        self.turnRealm = string("turn.realm")
        self.turnSecrets = list("turn.secrets")

        if self.stunAddresses.isEmpty && (self.stunUDP || self.stunTCP) {
            throw ConfigurationError(
                key: "stun.addresses",
                origin: values["stun.addresses"]?.origin ?? .defaultValue,
                message: "is empty while stun.udp or stun.tcp is on; list at least one address or turn both off"
            )
        }
    }
}
