import STUNCodec
import Testing

@testable import SwitchboardApp

/// The typed reader the component configurations read their keys through.
@Suite struct ConfigurationValuesTests {
    @Test func aValueOfAnotherTypeIsAnErrorNamingTheKeyNotACrash() {
        let origin = ConfigurationOrigin.flag(name: "--set")
        let values = ConfigurationValues(["stun.port": (.string("3478"), origin)])
        #expect(
            throws: ConfigurationError(
                key: "stun.port",
                origin: origin,
                message: "expected an integer (the value loaded has another type)"
            )
        ) {
            try values.integer("stun.port")
        }
        #expect(throws: ConfigurationError.self) {
            try SwitchboardConfiguration(values: values)
        }
    }

    @Test func aKeyNotLoadedReadsAsItsDefaultAndAnUnknownOneIsAnError() throws {
        let values = ConfigurationValues([:])
        #expect(try values.integer("http.port") == 3000)
        #expect(try values.addresses("stun.addresses").map(\.text) == ["0.0.0.0", "::"])
        #expect(throws: ConfigurationError.self) {
            try values.string("no.such.key")
        }
    }

    @Test func setOriginIsTheFirstKeyNotAtItsDefault() {
        let line = ConfigurationOrigin.file(path: "a.yaml", line: 3)
        let values = ConfigurationValues(["shared.port": (.integer(443), line)])
        #expect(values.setOrigin(of: ["shared.protocols", "shared.port"]) == line)
        #expect(values.setOrigin(of: ["shared.protocols"]) == .defaultValue)
    }
}
