import NIOCore

/// Settings of the seed dialects (`dialects.*` configuration keys).
public struct SignalingDialectsConfiguration: Sendable {
    /// Which dialect a Socket.IO connection speaks.
    public enum Selection: String, Sendable, CaseIterable {
        /// Decide per connection: Engine.IO v4 → A (chatroom); v3 → B (WebRtcRoom) once it sends
        /// `createAndJoinRoom`, D (socketIM) once it sends `offer`, `answer`, `_ice_candidate` or `wav`.
        case auto
        case chatroom
        case webrtcroom
        case socketim
    }

    public var selection: Selection
    /// Dialect A's disconnect grace (15 s in the original).
    public var chatroomGrace: TimeAmount
    /// Members per room; 0 is unlimited, as the originals.
    public var maxMembersPerRoom: Int
    /// Signaling events per second per socket, with a burst of at least 1000 (``EventRateLimiter``); 0, the
    /// default, is unlimited. Beyond it, A answers `error {type:"rateLimited"}`, B and D drop (and count) the event.
    public var eventsPerSecond: Int

    public init(
        selection: Selection = .auto,
        chatroomGrace: TimeAmount = .seconds(15),
        maxMembersPerRoom: Int = 0,
        eventsPerSecond: Int = 0
    ) {
        self.selection = selection
        self.chatroomGrace = chatroomGrace
        self.maxMembersPerRoom = maxMembersPerRoom
        self.eventsPerSecond = eventsPerSecond
    }
}
