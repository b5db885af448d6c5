/// The `tls.*` keys: the HTTPS port and the certificate and key that every TLS listener (HTTPS, TURN over TLS, the
/// shared port) uses.
public struct TLSListenerConfiguration: Sendable {
    /// `tls.port`; 0 is off.
    public var port: Int
    /// `tls.certificateFile`; empty: no certificate.
    public var certificateFile: String
    /// `tls.privateKeyFile`
    public var privateKeyFile: String
    /// `tls.watchIntervalSeconds`; 0: the files are read again only by a reload.
    public var watchIntervalSeconds: Int
    /// Where `tls.certificateFile` and `tls.privateKeyFile` were set: an error about a file points there.
    public var certificateFileOrigin: ConfigurationOrigin
    public var privateKeyFileOrigin: ConfigurationOrigin

    /// Whether a certificate is configured (and with it its key).
    public var hasCertificate: Bool {
        !self.certificateFile.isEmpty
    }

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.port = try values.integer("tls.port")
        self.certificateFile = try values.string("tls.certificateFile")
        self.privateKeyFile = try values.string("tls.privateKeyFile")
        self.watchIntervalSeconds = try values.integer("tls.watchIntervalSeconds")
        self.certificateFileOrigin = values.origin("tls.certificateFile")
        self.privateKeyFileOrigin = values.origin("tls.privateKeyFile")
        if self.port > 0 && self.certificateFile.isEmpty {
            throw values.error("tls.certificateFile", "is required when tls.port is set")
        }
        if self.port > 0 && self.privateKeyFile.isEmpty {
            throw values.error("tls.privateKeyFile", "is required when tls.port is set")
        }
        if !self.certificateFile.isEmpty && self.privateKeyFile.isEmpty {
            throw ConfigurationError(
                key: "tls.privateKeyFile",
                origin: values.setOrigin(of: ["tls.privateKeyFile", "tls.certificateFile"]),
                message: "is required when tls.certificateFile is set"
            )
        }
    }
}
