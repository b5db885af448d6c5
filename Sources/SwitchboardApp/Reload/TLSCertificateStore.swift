import NIOConcurrencyHelpers
import NIOCore
import NIOSSL

/// The server certificate chain and key in force, replaceable while the process runs (a reload re-reads
/// `tls.certificateFile` and `tls.privateKeyFile`).
///
/// Every server TLS configuration built with it (HTTPS, TURN over TLS, the shared port) asks it for the chain and
/// key at each handshake (NIOSSL's `sslContextCallback`, run once per ClientHello), so connections opened after a
/// reload get the new certificate and connections already open keep the session they negotiated. Read once per
/// handshake, never per packet.
final class TLSCertificateStore: Sendable {
    private let current: NIOLockedValueBox<NIOSSLContextConfigurationOverride>

    init(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        self.current = NIOLockedValueBox(Self.override(chain: chain, key: key))
    }

    /// Puts a new chain and key in force for the handshakes that follow.
    func replace(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey) {
        let override = Self.override(chain: chain, key: key)
        self.current.withLockedValue { $0 = override }
    }

    /// The callback to set as `TLSConfiguration.sslContextCallback`.
    var contextCallback: NIOSSLContextCallback {
        { _, promise in
            promise.succeed(self.current.withLockedValue { $0 })
        }
    }

    private static func override(
        chain: [NIOSSLCertificate],
        key: NIOSSLPrivateKey
    ) -> NIOSSLContextConfigurationOverride {
        var override = NIOSSLContextConfigurationOverride()
        override.certificateChain = chain.map { .certificate($0) }
        override.privateKey = .privateKey(key)
        return override
    }
}
