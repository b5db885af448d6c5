import NIOSSL

/// The server TLS settings built from the `tls` section, shared by HTTPS (`tls.port`) and TURN over TLS
/// (`stun.tlsPort`): one certificate chain and key, TLS 1.2 and 1.3 (RFC 8656 §3.1 asks for at least TLS 1.2).
enum ServerTLSConfiguration {
    /// Loads `tls.certificateFile` and `tls.privateKeyFile`; a file that cannot be read or parsed is a configuration
    /// error naming its key and where the key was set (the key's contents are never put in the message).
    ///
    /// With `store`, the configuration takes its chain and key from the store at every handshake (see
    /// ``TLSCertificateStore``), so a reload that replaces them reaches listeners built before it.
    static func load(_ tls: TLSListenerConfiguration, store: TLSCertificateStore? = nil) throws -> TLSConfiguration {
        let (certificates, key) = try Self.loadFiles(tls)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: certificates.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.sslContextCallback = store?.contextCallback
        return configuration
    }

    /// Reads and parses the certificate chain and the private key (PEM), and checks that the key is the leaf
    /// certificate's: at start, on a reload, when the files change and in `check-config`.
    static func loadFiles(
        _ tls: TLSListenerConfiguration
    ) throws(ConfigurationErrors) -> ([NIOSSLCertificate], NIOSSLPrivateKey) {
        let certificates: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(tls.certificateFile)
        } catch {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "tls.certificateFile",
                    origin: tls.certificateFileOrigin,
                    message: "cannot load a PEM certificate: \(error)"
                )
            ])
        }
        do {
            key = try NIOSSLPrivateKey(file: tls.privateKeyFile, format: .pem)
        } catch {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "tls.privateKeyFile",
                    origin: tls.privateKeyFileOrigin,
                    message: "cannot load a PEM private key"
                )
            ])
        }
        do {
            // Building a context checks the pair: BoringSSL refuses a key that does not match the leaf certificate.
            _ = try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: certificates.map { .certificate($0) },
                    privateKey: .privateKey(key)
                )
            )
        } catch {
            throw ConfigurationErrors([
                ConfigurationError(
                    key: "tls.privateKeyFile",
                    origin: tls.privateKeyFileOrigin,
                    message: "the private key does not go with the certificate of tls.certificateFile"
                )
            ])
        }
        return (certificates, key)
    }
}
