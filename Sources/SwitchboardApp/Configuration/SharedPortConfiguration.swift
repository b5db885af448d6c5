/// The `shared.*` keys: one TCP port for HTTP, HTTPS, TURN and TURN over TLS.
public struct SharedPortConfiguration: Sendable {
    /// `shared.port`; 0 is off.
    public var port: Int
    /// `shared.protocols`, as protocols; the names are checked only when the port is on.
    var protocols: Set<SharedPortProtocol>
    /// `shared.sniffTimeoutSeconds`
    public var sniffTimeoutSeconds: Int

    /// Whether the port is on and serves `protocol`.
    func serves(_ protocol: SharedPortProtocol) -> Bool {
        self.port > 0 && self.protocols.contains(`protocol`)
    }

    init(_ values: ConfigurationValues, tls: TLSListenerConfiguration) throws(ConfigurationError) {
        self.port = try values.integer("shared.port")
        self.sniffTimeoutSeconds = try values.integer("shared.sniffTimeoutSeconds")
        let names = try values.list("shared.protocols")
        self.protocols = Set(names.compactMap(SharedPortProtocol.init(rawValue:)))
        guard self.port > 0 else {
            return
        }
        for name in names where SharedPortProtocol(rawValue: name) == nil {
            throw values.error("shared.protocols", "'\(name)' is none of http, turn, https, turns")
        }
        if !tls.hasCertificate, let name = names.first(where: { $0.hasSuffix("s") }) {
            throw ConfigurationError(
                key: "shared.protocols",
                origin: values.setOrigin(of: ["shared.protocols", "shared.port"]),
                message: "'\(name)' needs tls.certificateFile and tls.privateKeyFile"
            )
        }
    }
}
