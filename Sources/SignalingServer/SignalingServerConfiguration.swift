/// Settings of the signaling plane (Engine.IO and Socket.IO). Placeholder until the signaling server lands.
public struct SignalingServerConfiguration: Sendable {
    public init() {}
}
