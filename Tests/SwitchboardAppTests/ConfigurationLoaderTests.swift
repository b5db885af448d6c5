import Foundation
import Logging
import STUNCodec
import Testing

@testable import SwitchboardApp

@Suite struct ConfigurationLoaderTests {
    private func load(
        yaml: String? = nil,
        environment: [String: String] = [:],
        flags: [(flag: String, key: String, value: String)] = []
    ) throws(ConfigurationErrors) -> SwitchboardConfiguration {
        var loader = ConfigurationLoader()
        if let yaml {
            loader.readYAML(yaml, path: "test.yaml")
        }
        loader.readEnvironment(environment)
        for flag in flags {
            loader.apply(rawValue: flag.value, toKey: flag.key, origin: .flag(name: flag.flag))
        }
        return try loader.finish()
    }

    private func errors(
        yaml: String? = nil,
        environment: [String: String] = [:],
        flags: [(flag: String, key: String, value: String)] = []
    ) -> [String] {
        do {
            _ = try self.load(yaml: yaml, environment: environment, flags: flags)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func defaultsAreTheDocumentedOnes() throws {
        let configuration = SwitchboardConfiguration.defaults
        #expect(configuration.http.port == 3000)
        #expect(configuration.stun.port == 3478)
        #expect(configuration.stun.addresses.map(\.text) == ["0.0.0.0", "::"])
        #expect(configuration.stun.udp && configuration.stun.tcp)
        #expect(configuration.log.level == .info)
        #expect(configuration.log.format == .text)
        #expect(configuration.turn.secrets.isEmpty)
    }

    @Test func emptyAndCommentOnlyFilesKeepDefaults() throws {
        #expect(try self.load(yaml: "").stun.port == 3478)
        #expect(try self.load(yaml: "# nothing here\n").stun.port == 3478)
        #expect(try self.load(yaml: "stun:\n").stun.port == 3478)
    }

    @Test func fileValuesApply() throws {
        let configuration = try self.load(
            yaml: """
                log:
                  level: debug
                  format: json
                stun:
                  port: 3479
                  addresses: ["127.0.0.1"]
                  tcp: false
                turn:
                  secrets: ["one", "two"]
                """
        )
        #expect(configuration.log.level == .debug)
        #expect(configuration.log.format == .json)
        #expect(configuration.stun.port == 3479)
        #expect(configuration.stun.addresses.map(\.text) == ["127.0.0.1"])
        #expect(configuration.stun.tcp == false)
        #expect(configuration.turn.secrets == ["one", "two"])
    }

    @Test func environmentOverridesFileAndFlagsOverrideBoth() throws {
        let yaml = "stun:\n  port: 4000\nhttp:\n  port: 4001\n"
        let fromEnvironment = try self.load(
            yaml: yaml,
            environment: [
                "SWITCHBOARD_STUN_PORT": "5000", "SWITCHBOARD_STUN_ADDRESSES": "127.0.0.1, ::1", "PATH": "/bin",
            ]
        )
        #expect(fromEnvironment.stun.port == 5000)
        #expect(fromEnvironment.http.port == 4001)
        #expect(fromEnvironment.stun.addresses.map(\.text) == ["127.0.0.1", "::1"])
        let fromFlags = try self.load(
            yaml: yaml,
            environment: ["SWITCHBOARD_STUN_PORT": "5000"],
            flags: [("--stun-port", "stun.port", "6000")]
        )
        #expect(fromFlags.stun.port == 6000)
    }

    @Test func environmentNamesFollowTheKeys() {
        #expect(
            ConfigurationSchema.key("stun.udpSocketsPerAddress")?.environmentName
                == "SWITCHBOARD_STUN_UDP_SOCKETS_PER_ADDRESS"
        )
        #expect(ConfigurationSchema.key("log.level")?.environmentName == "SWITCHBOARD_LOG_LEVEL")
        #expect(ConfigurationSchema.key("threads")?.environmentName == "SWITCHBOARD_THREADS")
    }

    @Test func unknownKeysAreErrorsWithTheirLine() {
        let messages = self.errors(yaml: "stun:\n  port: 3478\n  prot: 3\nturnn:\n  realm: x\n")
        #expect(messages == ["test.yaml:3: key 'stun.prot': unknown key", "test.yaml:4: key 'turnn': unknown key"])
    }

    @Test func misplacedKeysSuggestTheRightOne() {
        #expect(
            self.errors(yaml: "port: 3478\n") == ["test.yaml:1: key 'port': unknown key (did you mean 'http.port'?)"]
        )
    }

    @Test func wrongTypesAreErrors() {
        #expect(
            self.errors(yaml: "stun:\n  port: abc\n") == [
                "test.yaml:2: key 'stun.port': expected an integer, got 'abc'"
            ]
        )
        #expect(
            self.errors(yaml: "stun:\n  port: \"3478\"\n")
                == ["test.yaml:2: key 'stun.port': expected an integer in 0...65535, got a quoted string"]
        )
        #expect(
            self.errors(yaml: "stun:\n  udp: maybe\n") == [
                "test.yaml:2: key 'stun.udp': expected true or false, got 'maybe'"
            ]
        )
        #expect(
            self.errors(yaml: "stun:\n  addresses: 127.0.0.1\n")
                == ["test.yaml:2: key 'stun.addresses': expected a list (for example [\"a\", \"b\"])"]
        )
        #expect(self.errors(yaml: "stun: 5\n") == ["test.yaml:1: key 'stun': expected a section (a mapping of keys)"])
        #expect(
            self.errors(yaml: "log:\n  level: loud\n")
                == [
                    "test.yaml:2: key 'log.level': expected one of trace, debug, info, notice, warning, error, critical, got 'loud'"
                ]
        )
    }

    @Test func outOfRangeValuesAreErrors() {
        #expect(
            self.errors(yaml: "stun:\n  port: 70000\n") == [
                "test.yaml:2: key 'stun.port': value 70000 is out of range 0...65535"
            ]
        )
        #expect(self.errors(yaml: "threads: -1\n") == ["test.yaml:1: key 'threads': value -1 is out of range 0...256"])
    }

    @Test func addressesAreValidated() {
        #expect(
            self.errors(yaml: "stun:\n  addresses: [\"127.0.0.1\", \"localhost\"]\n")
                == ["test.yaml:2: key 'stun.addresses': 'localhost' is not an IPv4 or IPv6 address"]
        )
    }

    @Test func environmentAndFlagErrorsNameTheirSource() {
        #expect(
            self.errors(environment: ["SWITCHBOARD_STUN_PORTT": "1"])
                == [
                    "environment variable SWITCHBOARD_STUN_PORTT: unknown environment variable (no such configuration key)"
                ]
        )
        #expect(
            self.errors(environment: ["SWITCHBOARD_HTTP_PORT": "x"])
                == ["environment variable SWITCHBOARD_HTTP_PORT: key 'http.port': expected an integer, got 'x'"]
        )
        #expect(self.errors(flags: [("--set", "nope", "1")]) == ["flag --set: key 'nope': unknown key"])
    }

    @Test func secretsAreNeverEchoed() {
        let messages = self.errors(yaml: "turn:\n  secrets: [\"\"]\n")
        #expect(messages == ["test.yaml:2: key 'turn.secrets': secrets must not be empty"])
    }

    @Test func syntaxErrorsCarryTheLine() {
        let messages = self.errors(yaml: "stun:\n  port: 3478\n addresses: [\n")
        #expect(messages.count == 1)
        #expect(messages.first?.hasPrefix("test.yaml:3: invalid YAML") == true)
    }

    @Test func duplicateKeysAreErrors() {
        let messages = self.errors(yaml: "stun:\n  port: 1\n  port: 2\n")
        #expect(messages.count == 1)
        #expect(messages.first?.contains("stun.port") == true || messages.first?.contains("'port'") == true)
    }

    @Test func everyErrorIsReported() {
        let messages = self.errors(yaml: "stun:\n  port: 70000\n  udp: 3\nlog:\n  level: loud\n")
        #expect(messages.count == 3)
    }

    @Test func crossKeyRulesAreChecked() {
        #expect(
            self.errors(yaml: "stun:\n  addresses: []\n")
                == [
                    "test.yaml:2: key 'stun.addresses': is empty while stun.udp or stun.tcp is on; list at least one address or turn both off"
                ]
        )
        #expect(self.errors(yaml: "stun:\n  addresses: []\n  udp: false\n  tcp: false\n").isEmpty)
    }

    @Test func natDiscoveryAddressesAreResolvedAndChecked() throws {
        #expect(try self.load().stun.natDiscovery == nil)
        let both = try self.load(
            yaml: "stun:\n  addresses: [\"0.0.0.0\", \"::1\", \"127.0.0.1\"]\n  alternateAddress: \"127.0.0.2\"\n"
                + "  alternatePort: 3479\n"
        )
        #expect(
            both.stun.natDiscovery
                == NATDiscoveryAddresses(
                    primaryAddress: .v4(0x7F00_0001),
                    port: 3478,
                    alternateAddress: .v4(0x7F00_0002),
                    alternatePort: 3479
                )
        )
        let portOnly = try self.load(yaml: "stun:\n  addresses: [\"::1\"]\n  alternatePort: 3479\n")
        #expect(portOnly.stun.natDiscovery?.primaryAddress == .v6(0, 1))
        #expect(portOnly.stun.natDiscovery?.alternateAddress == nil)

        #expect(
            self.errors(yaml: "stun:\n  alternateAddress: \"127.0.0.2\"\n")
                == [
                    "test.yaml:2: key 'stun.alternateAddress': needs a primary: an address in stun.addresses, not a "
                        + "wildcard, of the same family and other than the alternate"
                ]
        )
        #expect(
            self.errors(yaml: "stun:\n  addresses: [\"127.0.0.1\"]\n  alternateAddress: \"host\"\n")
                == ["test.yaml:3: key 'stun.alternateAddress': must be one IP address of this host, not a wildcard"]
        )
        #expect(
            self.errors(yaml: "stun:\n  addresses: [\"127.0.0.1\"]\n  port: 0\n  alternatePort: 5000\n")
                == ["test.yaml:4: key 'stun.alternatePort': needs a fixed stun.port, not 0"]
        )
        #expect(
            self.errors(yaml: "stun:\n  addresses: [\"127.0.0.1\"]\n  alternatePort: 3478\n")
                == ["test.yaml:3: key 'stun.alternatePort': must differ from stun.port"]
        )
        #expect(
            self.errors(yaml: "stun:\n  addresses: [\"127.0.0.1\"]\n  udp: false\n  alternatePort: 3479\n")
                == ["test.yaml:4: key 'stun.alternatePort': needs stun.udp on (RFC 5780 discovery is over UDP)"]
        )
    }

    @Test func connectionLimitsAreValidated() throws {
        #expect(
            self.errors(yaml: "http:\n  maxConnections: 100\n  maxConnectionsPerAddress: 500\n")
                == ["test.yaml:3: key 'http.maxConnectionsPerAddress': 500 is above http.maxConnections (100)"]
        )
        #expect(
            self.errors(flags: [("--set", "signaling.maxSessionsPerAddress", "-1")])
                == ["flag --set: key 'signaling.maxSessionsPerAddress': value -1 is out of range 0...10000000"]
        )
        #expect(
            self.errors(yaml: "stun:\n  tcpFramingTimeoutSeconds: 0\n")
                == ["test.yaml:2: key 'stun.tcpFramingTimeoutSeconds': value 0 is out of range 1...300"]
        )
        // 0 turns a total off, so any per-address cap goes with it.
        let unlimited = try self.load(yaml: "stun:\n  tcpMaxConnections: 0\n  tcpMaxConnectionsPerAddress: 5\n")
        #expect(unlimited.stun.tcpMaxConnections == 0)
        #expect(unlimited.stun.tcpMaxConnectionsPerAddress == 5)
    }

    /// The documented example file must be valid, equal to the embedded defaults, and mention every key.
    @Test func exampleFileDocumentsEveryKeyWithItsDefault() throws {
        let path = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("turn-config/switchboard.yaml").path
        var loader = ConfigurationLoader()
        loader.readFile(at: path)
        _ = try loader.finish()
        for key in ConfigurationSchema.keys {
            let loaded = loader.values[key.path]
            #expect(loaded?.value == key.defaultValue, "\(key.path) in the example differs from its default")
            guard case .file = loaded?.origin else {
                Issue.record("\(key.path) is not written in turn-config/switchboard.yaml")
                continue
            }
        }
    }
}
