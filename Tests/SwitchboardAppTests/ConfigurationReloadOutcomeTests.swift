import SocketIOCodec
import Testing

@testable import SwitchboardApp

@Suite struct ConfigurationReloadOutcomeTests {
    @Test func appliedNamesTheKeys() {
        let plan = ConfigurationReloadPlan(
            running: ["turn.secrets": .stringList(["a"]), "stun.port": .integer(1)],
            loaded: ["turn.secrets": .stringList(["b"]), "stun.port": .integer(2)]
        )
        #expect(
            ConfigurationReloader.Outcome.applied(plan).json.serialized()
                == #"{"result":"applied","applied":["turn.secrets"],"needsRestart":["stun.port"]}"#
        )
    }

    @Test func rejectedCarriesTheCheckConfigLines() {
        let error = ConfigurationError(
            key: "turn.secrets",
            origin: .file(path: "s.yaml", line: 3),
            message: "secrets must not be empty"
        )
        #expect(
            ConfigurationReloader.Outcome.rejected([error]).json.serialized()
                == #"{"result":"rejected","errors":["s.yaml:3: key 'turn.secrets': secrets must not be empty"]}"#
        )
    }
}
