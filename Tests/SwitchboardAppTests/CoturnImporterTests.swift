import STUNCodec
import TURNServer
import Testing

@testable import SwitchboardApp

@Suite struct CoturnImporterTests {
    private static func range(_ text: String) -> IPAddressRange {
        IPAddressRange(text)!
    }

    /// Converts `text` and loads the YAML the way `serve --config` does.
    private func load(
        _ text: String,
        externalAddresses: Bool = false
    ) throws -> (CoturnImport, SwitchboardConfiguration) {
        let converted = CoturnImporter(supportsExternalAddresses: externalAddresses).convert(text, sourceName: "t.conf")
        var loader = ConfigurationLoader()
        loader.readYAML(converted.yaml, path: "converted.yaml")
        return (converted, try loader.finish())
    }

    private func warned(_ converted: CoturnImport) -> [String] {
        converted.warnings.map { "\($0.line.map(String.init) ?? "-"):\($0.key)" }
    }

    @Test func listenersRelaysPortsAndStaticUsersCarryOver() throws {
        let (converted, configuration) = try self.load(
            """
            # a comment
            listening-port=3479
              listening-ip 10.0.0.5
            listening-ip=2001:db8::5
            relay-ip=10.0.0.5
            relay-ip=10.0.0.6
            relay-ip=2001:db8::5
            min-port=50000
            max-port=50999
            lt-cred-mech
            realm="example.org"
            user=alice:pa ss#word
            user=bob:0xbc807ee29df3c9ffa736523fb2c4e8ee
            user-quota=12
            total-quota 1000
            max-bps=64000
            stale-nonce
            max-allocate-lifetime=300
            no-tcp
            verbose
            """
        )
        #expect(configuration.stun.port == 3479)
        #expect(configuration.stun.addresses.map(\.text) == ["10.0.0.5", "2001:db8::5"])
        #expect(configuration.turn.relayAddresses.map(\.text) == ["10.0.0.5", "2001:db8::5"])
        #expect(configuration.turn.relayPorts == 50000...50999)
        #expect(configuration.turn.realm == "example.org")
        #expect(configuration.turn.users == ["alice": "pa ss#word"])
        #expect(configuration.turn.userQuota == 12)
        #expect(configuration.turn.totalQuota == 1000)
        #expect(configuration.turn.bandwidthLimit == 128_000)
        #expect(configuration.turn.nonceLifetimeSeconds == 600)
        #expect(configuration.turn.maxLifetimeSeconds == 300)
        #expect(configuration.turn.defaultLifetimeSeconds == 300)
        #expect(configuration.stun.tcp == false && configuration.stun.udp == true)
        #expect("\(configuration.log.level)" == "debug")
        #expect(self.warned(converted) == ["6:relay-ip", "13:user"])
        #expect(converted.containsSecrets)
        #expect(converted.yaml.contains("# from coturn listening-port (line 2)"))
        // Warnings name keys and lines, never values: the 0x key stays out of them.
        #expect(!converted.warnings.contains { $0.message.contains("bc807e") })
    }

    @Test func restSecretsWinOverUsersAsInCoturn() throws {
        let (converted, configuration) = try self.load(
            """
            use-auth-secret
            static-auth-secret=north
            static-auth-secret="south"
            user=alice:secret
            realm=turn.example.org
            static-auth-secret=
            """
        )
        #expect(configuration.turn.secrets == ["north", "south"])
        #expect(configuration.turn.users.isEmpty)
        #expect(self.warned(converted) == ["4:user", "6:static-auth-secret"])
        #expect(!converted.warnings.contains { $0.description.contains("secret") && $0.description.contains("north") })
    }

    @Test func aFileWithoutCredentialsAndUnknownLinesIsFlagged() throws {
        let (converted, configuration) = try self.load(
            """
            syslog
            no-rfc5780
            colour=blue
            mobility
            cli-password=qwerty
            web-admin
            no-udp=maybe
            realm=x;
            relay-ip=10.0.0.1 # the public side
            """
        )
        #expect(configuration.turn.users.isEmpty && configuration.turn.secrets.isEmpty)
        #expect(
            self.warned(converted) == [
                "1:syslog", "3:colour", "4:mobility", "5:cli-password", "6:web-admin", "7:no-udp", "8:realm",
                "9:relay-ip", "9:relay-ip", "-:lt-cred-mech",
            ]
        )
        #expect(converted.warnings[1].message.contains("not a coturn option"))
        #expect(!converted.containsSecrets)
        #expect(!converted.yaml.contains("qwerty"))
    }

    @Test func peerListsSayWhatCoturnDid() throws {
        // coturn: loopback is denied first (allow-loopback-peers lifts it), then the allow list beats the deny list.
        let (_, configuration) = try self.load(
            """
            denied-peer-ip=10.0.0.0-10.255.255.255
            denied-peer-ip=127.0.0.0-127.255.255.255
            allowed-peer-ip=10.0.0.1
            allowed-peer-ip=10.0.0.2-10.0.0.3
            allowed-peer-ip=127.0.0.1
            allow-loopback-peers
            denied-peer-ip=2001:db8::-2001:db8::ffff
            """
        )
        #expect(configuration.turn.peerAllowList == ["10.0.0.1", "10.0.0.2/31", "127.0.0.0/8", "::1"].map(Self.range))
        #expect(
            configuration.turn.peerDenyList
                == [
                    "10.0.0.0", "10.0.0.4/30", "10.0.0.8/29", "10.0.0.16/28", "10.0.0.32/27", "10.0.0.64/26",
                    "10.0.0.128/25", "10.0.1.0/24", "10.0.2.0/23", "10.0.4.0/22", "10.0.8.0/21", "10.0.16.0/20",
                    "10.0.32.0/19", "10.0.64.0/18", "10.0.128.0/17", "10.1.0.0/16", "10.2.0.0/15", "10.4.0.0/14",
                    "10.8.0.0/13", "10.16.0.0/12", "10.32.0.0/11", "10.64.0.0/10", "10.128.0.0/9", "127.0.0.0",
                    "127.0.0.2/31", "127.0.0.4/30", "127.0.0.8/29", "127.0.0.16/28", "127.0.0.32/27", "127.0.0.64/26",
                    "127.0.0.128/25", "127.0.1.0/24", "127.0.2.0/23", "127.0.4.0/22", "127.0.8.0/21", "127.0.16.0/20",
                    "127.0.32.0/19", "127.0.64.0/18", "127.0.128.0/17", "127.1.0.0/16", "127.2.0.0/15", "127.4.0.0/14",
                    "127.8.0.0/13", "127.16.0.0/12", "127.32.0.0/11", "127.64.0.0/10", "127.128.0.0/9",
                    "2001:db8::/112",
                ].map(Self.range)
        )
        // Without allow-loopback-peers an allowed loopback address stays denied, as coturn checks loopback first.
        let (_, strict) = try self.load("allowed-peer-ip=127.0.0.1\nallowed-peer-ip=192.168.1.0-192.168.1.255\n")
        #expect(strict.turn.peerAllowList == [Self.range("192.168.1.0/24")])
    }

    @Test func externalIPIsCommentedOutUntilTheKeyExists() throws {
        let text = "external-ip=203.0.113.5/10.0.0.5\nexternal-ip=bad/ip\n"
        let (converted, _) = try self.load(text)
        #expect(converted.yaml.contains("    # externalAddresses: [\"203.0.113.5/10.0.0.5\"]"))
        #expect(converted.yaml.contains("  # relay:"))
        #expect(self.warned(converted).prefix(2) == ["1:external-ip", "2:external-ip"])
        let enabled = CoturnImporter(supportsExternalAddresses: true).convert(text, sourceName: "t.conf")
        #expect(enabled.yaml.contains("\n    externalAddresses: [\"203.0.113.5/10.0.0.5\"]"))
    }

    @Test func turnOverTLSIsCarriedOverWithItsCertificate() throws {
        let served = try self.load(
            "user=a:b\ncert=/etc/ssl/turn.pem\npkey=/etc/ssl/turn.key\ntls-listening-port=443\ncipher-list=HIGH\n"
                + "no-tlsv1\n"
        )
        // DTLS (on by default in coturn) is what is lost; the cipher list is Switchboard's own.
        #expect(self.warned(served.0) == ["2:cert", "5:cipher-list"])
        #expect(served.0.warnings[0].message.contains("DTLS"))
        #expect(
            served.1.tls.certificateFile == "/etc/ssl/turn.pem" && served.1.tls.privateKeyFile == "/etc/ssl/turn.key"
        )
        #expect(served.1.stun.tlsPort == 443 && served.1.turnsEnabled)
        let byDefault = try self.load("user=a:b\ncert=/etc/ssl/turn.pem\npkey=/etc/ssl/turn.key\nno-dtls\n")
        #expect(byDefault.0.warnings.isEmpty)
        #expect(byDefault.1.stun.tlsPort == 5349 && byDefault.1.turnsEnabled)
    }

    @Test func tlsThatCoturnDidNotServeStaysOff() throws {
        let off = try self.load("cert=/etc/ssl/turn.pem\nno-tls\nno-dtls\ntls-listening-port=5349\nuser=a:b\n")
        #expect(off.0.warnings.isEmpty)
        #expect(off.1.tls.certificateFile == "" && !off.1.turnsEnabled)
        #expect(off.0.yaml.contains("# certificateFile: \"/etc/ssl/turn.pem\""))
        let keyless = try self.load("cert=/etc/ssl/turn.pem\nno-dtls\nuser=a:b\n")
        #expect(self.warned(keyless.0) == ["1:cert"])
        #expect(!keyless.1.turnsEnabled)
    }

    @Test func thePIDFileIsKept() throws {
        let (converted, configuration) = try self.load("user=a:b\npidfile=\"/run/turnserver/turnserver.pid\"\n")
        #expect(converted.warnings.isEmpty)
        #expect(configuration.process.pidFile == "/run/turnserver/turnserver.pid")
    }
}

@Suite struct CoturnConfigFileTests {
    @Test func linesAreReadAsTurnserverReadsThem() {
        let directives = CoturnConfigFile.parse(
            "  # comment\n\nrealm = a=b \t\r\nuser\talice:x\nfingerprint\nstatic-auth-secret==\"s p\" \nverbose=\n"
        )
        #expect(directives.map(\.name) == ["realm", "user", "fingerprint", "static-auth-secret", "verbose"])
        #expect(directives.map(\.value) == ["a=b", "alice:x", "", "s p", ""])
        #expect(directives.map(\.line) == [3, 4, 5, 6, 7])
    }

    @Test func booleansFollowCoturn() {
        #expect(
            ["", "1", "yes", "True", "on", "ON", "7"].map(CoturnConfigFile.boolean) == Array(repeating: true, count: 7)
        )
        #expect(["0", "no", "false", "off", "Off"].map(CoturnConfigFile.boolean) == Array(repeating: false, count: 5))
        #expect(CoturnConfigFile.boolean("maybe") == nil)
    }
}

@Suite struct IPIntervalSetTests {
    @Test func rangesBecomeTheFewestCIDRs() throws {
        #expect(IPIntervalSet(coturnRange: "10.0.0.0-10.255.255.255")?.cidrRanges == ["10.0.0.0/8"])
        #expect(IPIntervalSet(coturnRange: "0.0.0.0-255.255.255.255")?.cidrRanges == ["0.0.0.0/0"])
        #expect(IPIntervalSet(coturnRange: "::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")?.cidrRanges == ["::/0"])
        #expect(
            IPIntervalSet(coturnRange: "192.0.2.1-192.0.2.6")?.cidrRanges == [
                "192.0.2.1", "192.0.2.2/31", "192.0.2.4/31", "192.0.2.6",
            ]
        )
        #expect(IPIntervalSet(coturnRange: "2001:db8::/32")?.cidrRanges == ["2001:db8::/32"])
        for bad in ["10.0.0.9-10.0.0.1", "10.0.0.1-::1", "host.example", "10.0.0.1-", ""] {
            #expect(IPIntervalSet(coturnRange: bad) == nil, "\(bad)")
        }
    }

    @Test func unionAndSubtractionAreExact() throws {
        let a = try #require(IPIntervalSet(coturnRange: "10.0.0.0-10.0.0.255"))
        let b = try #require(IPIntervalSet(coturnRange: "10.0.1.0/24"))
        #expect(a.union(b).cidrRanges == ["10.0.0.0/23"])
        let hole = try #require(IPIntervalSet(coturnRange: "10.0.0.128-10.0.1.127"))
        #expect(a.union(b).subtracting(hole).cidrRanges == ["10.0.0.0/25", "10.0.1.128/25"])
        #expect(a.subtracting(a).isEmpty)
    }
}
