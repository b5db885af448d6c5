import Logging
import SignalingServer

/// What every Socket.IO dialect is given: the namespace it serves, the event log it appends to, the settings, the ICE
/// hook, the metrics and the logger.
struct DialectContext: Sendable {
    let namespace: SocketIOServer.Namespace
    /// Where the dialects' events are ordered before they are applied.
    let events: any DialectEventStream
    let configuration: SignalingDialectsConfiguration
    /// The limits in force, which a reload may change (``SignalingDialects/apply(maxMembersPerRoom:eventsPerSecond:)``).
    let limits: DialectLimits
    let iceServers: ICEServersHook
    let metrics: DialectMetrics
    let logger: Logger

    /// Sends the deliveries a state machine decided on, to the sockets connected to this node.
    func deliver(_ deliveries: [SignalingDelivery]) {
        for delivery in deliveries {
            self.namespace.socket(id: delivery.to)?.emit(delivery.event, delivery.arguments)
        }
    }
}
