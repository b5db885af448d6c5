import Testing

@testable import SwitchboardApp

@Suite struct ConfigurationReloadPlanTests {
    private let running: [String: ConfigurationValue] = [
        "log.level": .string("info"),
        "stun.port": .integer(3478),
        "threads": .integer(0),
        "turn.secrets": .stringList(["old"]),
        "turn.users": .stringList([]),
        "turn.quota.perUser": .integer(10),
    ]

    @Test func nothingChangedIsEmpty() {
        let plan = ConfigurationReloadPlan(running: self.running, loaded: self.running)
        #expect(plan.isEmpty)
        #expect(plan.applied.isEmpty)
        #expect(plan.needsRestart.isEmpty)
    }

    @Test func liveKeysAreAppliedAndRestartKeysReported() {
        var loaded = self.running
        loaded["turn.secrets"] = .stringList(["new", "old"])
        loaded["log.level"] = .string("debug")
        loaded["stun.port"] = .integer(3479)
        loaded["threads"] = .integer(4)
        let plan = ConfigurationReloadPlan(running: self.running, loaded: loaded)
        #expect(plan.applied == ["log.level", "turn.secrets"])
        #expect(plan.needsRestart == ["stun.port", "threads"])
        #expect(!plan.isEmpty)
    }

    @Test func aKeyMissingOnOneSideCountsAsChanged() {
        var loaded = self.running
        loaded["turn.users"] = nil
        loaded["process.pidFile"] = .string("/run/x.pid")
        let plan = ConfigurationReloadPlan(running: self.running, loaded: loaded)
        #expect(plan.applied == ["turn.users"])
        #expect(plan.needsRestart == ["process.pidFile"])
    }

    @Test func valuesInForceTakeOnlyTheAppliedKeys() {
        var loaded = self.running
        loaded["turn.quota.perUser"] = .integer(2)
        loaded["stun.port"] = .integer(4000)
        let plan = ConfigurationReloadPlan(running: self.running, loaded: loaded)
        let inForce = plan.valuesInForce(running: self.running, loaded: loaded)
        #expect(inForce["turn.quota.perUser"] == .integer(2))
        #expect(inForce["stun.port"] == .integer(3478))
        // The restart key is reported again by the next reload of the same file.
        let again = ConfigurationReloadPlan(running: inForce, loaded: loaded)
        #expect(again.applied.isEmpty)
        #expect(again.needsRestart == ["stun.port"])
    }

    @Test func everyLiveKeyIsInTheSchema() {
        let schema = Set(ConfigurationSchema.keys.map(\.path))
        #expect(ConfigurationReloadPlan.liveKeys.isSubset(of: schema))
    }

    @Test func portsAddressesAndThreadsNeedARestart() {
        for key in ["threads", "stun.port", "stun.addresses", "http.port", "http.host", "tls.port", "turn.realm"] {
            #expect(!ConfigurationReloadPlan.liveKeys.contains(key), "\(key)")
        }
    }
}

@Suite struct ConfigurationReloadPlanLiveSetTests {
    @Test func keysOutsideTheLiveSetNeedARestart() {
        let running: [String: ConfigurationValue] = ["tls.certificateFile": .string(""), "log.level": .string("info")]
        let loaded: [String: ConfigurationValue] = [
            "tls.certificateFile": .string("/etc/cert.pem"), "log.level": .string("debug"),
        ]
        var live = ConfigurationReloadPlan.liveKeys
        live.remove("tls.certificateFile")
        let plan = ConfigurationReloadPlan(running: running, loaded: loaded, live: live)
        #expect(plan.applied == ["log.level"])
        #expect(plan.needsRestart == ["tls.certificateFile"])
    }
}
