import SocketIOCodec

extension ConfigurationReloader {
    /// What a reload did.
    enum Outcome: Sendable {
        /// Put in force; the plan names the keys applied and those left for a restart.
        case applied(ConfigurationReloadPlan)
        /// Refused whole, with the problems `check-config` would print; the configuration in force stays.
        case rejected([ConfigurationError])

        /// The answer of `POST /api/reload`: `{"result":"applied","applied":[…],"needsRestart":[…]}` or
        /// `{"result":"rejected","errors":["FILE:LINE: key 'K': …"]}`. Key names and check-config lines only:
        /// secret values never appear (the loader writes them as "(secret)").
        var json: JSONValue {
            switch self {
            case .applied(let plan):
                return [
                    "result": "applied",
                    "applied": .array(plan.applied.map { .string($0) }),
                    "needsRestart": .array(plan.needsRestart.map { .string($0) }),
                ]
            case .rejected(let errors):
                return ["result": "rejected", "errors": .array(errors.map { .string($0.description) })]
            }
        }
    }
}
