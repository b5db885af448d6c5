/// The `ice.publicAddress` and `ice.credentialTTLSeconds` keys: what the ICE servers handed to clients say
/// (`ice.api.*` is in ``AccessConfiguration``).
public struct ICEConfiguration: Sendable {
    /// `ice.publicAddress`, a name or an IP; nil when empty.
    public var publicAddress: String?
    /// `ice.credentialTTLSeconds`
    public var credentialTTLSeconds: Int

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.publicAddress = try values.optionalString("ice.publicAddress")
        self.credentialTTLSeconds = try values.integer("ice.credentialTTLSeconds")
    }
}
