import TURNServer
import Testing

@testable import SwitchboardApp

/// `stun.tlsPort`: TURN over TLS is served only with a certificate, and never on a port another TCP listener takes.
@Suite struct TURNOverTLSConfigurationTests {
    @Test func servedOnlyWithACertificate() throws {
        let defaults = try YAMLConfiguration.load("")
        #expect(defaults.stun.tlsPort == 5349)
        #expect(!defaults.turnsEnabled)
        let withCertificate = try YAMLConfiguration.load("tls:\n  certificateFile: c.pem\n  privateKeyFile: k.pem\n")
        #expect(withCertificate.turnsEnabled)
        #expect(SwitchboardApplication(configuration: withCertificate).turnServerConfiguration.tlsPort == 5349)
        let off = try YAMLConfiguration.load(
            "stun:\n  tlsPort: 0\ntls:\n  certificateFile: c.pem\n  privateKeyFile: k.pem\n"
        )
        #expect(!off.turnsEnabled)
        #expect(SwitchboardApplication(configuration: off).turnServerConfiguration.tlsPort == 0)
    }

    @Test func aCertificateNeedsItsKey() {
        #expect(
            YAMLConfiguration.errors("tls:\n  certificateFile: c.pem\n")
                == ["test.yaml:2: key 'tls.privateKeyFile': is required when tls.certificateFile is set"]
        )
    }

    @Test func thePortIsNotSharedWithAnotherTCPListener() {
        let certificate = "tls:\n  certificateFile: c.pem\n  privateKeyFile: k.pem\n"
        #expect(
            YAMLConfiguration.errors("stun:\n  port: 5349\n" + certificate)
                == ["test.yaml:2: key 'stun.tlsPort': 5349 is also stun.port; pick another port or 0 (off)"]
        )
        #expect(
            YAMLConfiguration.errors(
                "stun:\n  tlsPort: 8443\ntls:\n  port: 8443\n" + certificate.dropFirst("tls:\n".count)
            )
                == ["test.yaml:2: key 'stun.tlsPort': 8443 is also tls.port; pick another port or 0 (off)"]
        )
        // Without TCP on stun.port nothing else takes it.
        #expect(YAMLConfiguration.errors("stun:\n  port: 5349\n  tcp: false\n" + certificate).isEmpty)
    }
}

/// `shared.*`: the shared port's protocols, their certificate and its port.
@Suite struct SharedPortConfigurationTests {
    @Test func protocolsAreChecked() {
        #expect(
            YAMLConfiguration.errors("shared:\n  port: 443\n  protocols: [http, ftp]\n")
                == ["test.yaml:3: key 'shared.protocols': 'ftp' is none of http, turn, https, turns"]
        )
        #expect(
            YAMLConfiguration.errors("shared:\n  port: 443\n")
                == ["test.yaml:2: key 'shared.protocols': 'https' needs tls.certificateFile and tls.privateKeyFile"]
        )
        #expect(YAMLConfiguration.errors("shared:\n  port: 443\n  protocols: [http, turn]\n").isEmpty)
    }

    @Test func thePortIsNotAnotherListenersPort() {
        #expect(
            YAMLConfiguration.errors("shared:\n  port: 3478\n  protocols: [turn]\n")
                == ["test.yaml:2: key 'shared.port': 3478 is also stun.port; pick another port or 0 (off)"]
        )
        #expect(
            YAMLConfiguration.errors("shared:\n  port: 3000\n  protocols: [turn]\n")
                == ["test.yaml:2: key 'shared.port': 3000 is also http.port; pick another port or 0 (off)"]
        )
    }
}
