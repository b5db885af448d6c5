extension ConfigurationSchema {
    /// The `signaling.*` keys (Engine.IO / Socket.IO).
    static let signalingKeys: [ConfigurationKey] = []
}
