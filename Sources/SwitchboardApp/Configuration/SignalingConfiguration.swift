import SignalingServer

/// The `signaling.*` keys: the Engine.IO / Socket.IO endpoint and the conformance test application.
public struct SignalingConfiguration: Sendable {
    /// The Socket.IO server's settings, on the main path (`signaling.path`).
    public var server: SignalingServerConfiguration
    /// `signaling.testApp`: the conformance test application instead of the dialects.
    public var testApp: Bool

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        var transports: Set<SignalingServerConfiguration.Transport> = []
        if try values.boolean("signaling.transports.polling") {
            transports.insert(.polling)
        }
        if try values.boolean("signaling.transports.websocket") {
            transports.insert(.websocket)
        }
        self.server = SignalingServerConfiguration(
            path: try values.string("signaling.path"),
            pingIntervalMilliseconds: try values.integer("signaling.pingIntervalMilliseconds"),
            pingTimeoutMilliseconds: try values.integer("signaling.pingTimeoutMilliseconds"),
            upgradeTimeoutMilliseconds: try values.integer("signaling.upgradeTimeoutMilliseconds"),
            maxHttpBufferSize: try values.integer("signaling.maxHttpBufferSize"),
            connectTimeoutMilliseconds: try values.integer("signaling.connectTimeoutMilliseconds"),
            allowEIO3: try values.boolean("signaling.allowEIO3"),
            allowUpgrades: try values.boolean("signaling.allowUpgrades"),
            transports: transports,
            cors: CORSConfiguration(
                origins: try values.list("signaling.cors.origins"),
                credentials: try values.boolean("signaling.cors.credentials")
            ),
            maxAttachments: try values.integer("signaling.maxAttachments"),
            outboundBufferLimit: try values.integer("signaling.outboundBufferLimit"),
            outboundBufferBytes: try values.integer("signaling.outboundBufferBytes"),
            sendTimeoutMilliseconds: try values.integer("signaling.sendTimeoutMilliseconds"),
            closeTimeoutMilliseconds: try values.integer("signaling.closeTimeoutMilliseconds"),
            maxSessions: try values.integer("signaling.maxSessions"),
            maxSessionsPerAddress: try values.integer("signaling.maxSessionsPerAddress"),
            eio3PingIntervalMilliseconds: try values.integer("signaling.eio3.pingIntervalMilliseconds"),
            eio3PingTimeoutMilliseconds: try values.integer("signaling.eio3.pingTimeoutMilliseconds"),
            eio3MaxHttpBufferSize: try values.integer("signaling.eio3.maxHttpBufferSize")
        )
        self.testApp = try values.boolean("signaling.testApp")
        try values.checkCap(
            "signaling.maxSessionsPerAddress",
            self.server.maxSessionsPerAddress,
            under: "signaling.maxSessions"
        )
    }
}
