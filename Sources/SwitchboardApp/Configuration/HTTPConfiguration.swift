/// The `http.*` keys of the main HTTP server (`http.allowedHosts` is in ``AccessConfiguration``).
public struct HTTPConfiguration: Sendable {
    /// `http.host`: the address (or name) the server binds.
    public var host: String
    /// `http.port`; 0 picks a free port.
    public var port: Int
    /// `http.requestHeadTimeoutSeconds`
    public var requestHeadTimeoutSeconds: Int
    /// `http.idleTimeoutSeconds`
    public var idleTimeoutSeconds: Int
    /// `http.maxConnections`; 0 is no cap.
    public var maxConnections: Int
    /// `http.maxConnectionsPerAddress`; 0 is no cap.
    public var maxConnectionsPerAddress: Int

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.host = try values.string("http.host")
        self.port = try values.integer("http.port")
        self.requestHeadTimeoutSeconds = try values.integer("http.requestHeadTimeoutSeconds")
        self.idleTimeoutSeconds = try values.integer("http.idleTimeoutSeconds")
        self.maxConnections = try values.integer("http.maxConnections")
        self.maxConnectionsPerAddress = try values.integer("http.maxConnectionsPerAddress")
        try values.checkCap(
            "http.maxConnectionsPerAddress",
            self.maxConnectionsPerAddress,
            under: "http.maxConnections"
        )
    }
}
