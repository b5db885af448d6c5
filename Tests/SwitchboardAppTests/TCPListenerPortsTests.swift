import Testing

@testable import SwitchboardApp

/// Two TCP listeners never get one port: the clash is a configuration error naming the later key.
@Suite struct TCPListenerPortsTests {
    @Test func theLaterListenerOfAClashIsNamed() {
        var ports = TCPListenerPorts()
        ports.add("http.port", port: 3000, zeroIsOff: false)
        ports.add("tls.port", port: 8443, zeroIsOff: true)
        ports.add("dialects.rawWebSocketPort", port: 3000, zeroIsOff: true)
        let clash = ports.firstClash()
        #expect(clash?.listener.key == "dialects.rawWebSocketPort" && clash?.other.key == "http.port")
    }

    @Test func portZeroAndListenersThatAreOffNeverClash() {
        var ports = TCPListenerPorts()
        ports.add("http.port", port: 0, zeroIsOff: false)
        ports.add("stun.port", port: 0, zeroIsOff: false)
        ports.add("stun.tlsPort", port: 5349, on: false, zeroIsOff: true)
        ports.add("shared.port", port: 5349, zeroIsOff: true)
        #expect(ports.firstClash() == nil)
        #expect(ports.listeners.map(\.key) == ["shared.port"])
    }

    @Test func aClashIsAConfigurationErrorWithTheFileLine() {
        // The key set in the file gives the line, though the clash names the listener that comes later.
        #expect(
            YAMLConfiguration.errors("http:\n  port: 8080\n")
                == [
                    "test.yaml:2: key 'dialects.rawWebSocketPort': 8080 is also http.port; pick another port or 0 (off)"
                ]
        )
        #expect(
            YAMLConfiguration.errors("http:\n  port: 8080\ndialects:\n  rawWebSocketPort: 0\n").isEmpty
        )
        #expect(
            YAMLConfiguration.errors("stun:\n  port: 3000\n")
                == ["test.yaml:2: key 'stun.port': 3000 is also http.port; pick another port"]
        )
        #expect(
            YAMLConfiguration.errors("stun:\n  port: 3000\n  tcp: false\n").isEmpty
        )
    }
}
