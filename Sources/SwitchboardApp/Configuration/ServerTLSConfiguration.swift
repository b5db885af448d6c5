import NIOSSL

/// The server TLS settings built from the `tls` section, shared by HTTPS (`tls.port`) and TURN over TLS
/// (`stun.tlsPort`): one certificate chain and key, TLS 1.2 and 1.3 (RFC 8656 §3.1 asks for at least TLS 1.2).
enum ServerTLSConfiguration {
    /// Loads `tls.certificateFile` and `tls.privateKeyFile`; a file that cannot be read or parsed is a configuration
    /// error naming its key (the key's contents are never put in the message).
    ///
    /// With `store`, the configuration takes its chain and key from the store at every handshake (see
    /// ``TLSCertificateStore``), so a reload that replaces them reaches listeners built before it.
    static func load(
        certificateFile: String,
        privateKeyFile: String,
        store: TLSCertificateStore? = nil
    ) throws -> TLSConfiguration {
        let (certificates, key) = try Self.loadFiles(certificateFile: certificateFile, privateKeyFile: privateKeyFile)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.sslContextCallback = store?.contextCallback
        return configuration
    }

    /// Reads and parses the certificate chain and the private key (PEM).
    static func loadFiles(
        certificateFile: String,
        privateKeyFile: String
    ) throws(ConfigurationErrors) -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        let certificates: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "tls.certificateFile",
                    origin: .defaultValue,
                    message: "cannot load a PEM certificate: \(error)"
                )
            ])
        }
        do {
            key = try NIOSSLPrivateKey(file: privateKeyFile, format: .pem)
        } catch {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "tls.privateKeyFile",
                    origin: .defaultValue,
                    message: "cannot load a PEM private key"
                )
            ])
        }
        return (certificates, key)
    }
}
