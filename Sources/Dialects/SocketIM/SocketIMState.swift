import SocketIOCodec

/// Dialect D, "socketIM" (docs/dialects.md#socketim), as a pure state machine: `offer`, `answer` and `_ice_candidate`
/// go byte for byte to every other connected socket (the live set, not the original's stale snapshot,
/// docs/dialects.md#socketim); `wav` comes back as `wavMsg` to everyone, the sender included; a welcome `message`
/// greets each connection.
public struct SocketIMState: Sendable {
    /// The original's welcome string ("connected, welcome").
    public static let welcome = "连接成功，欢迎用户"

    var sockets: [String] = []

    public init() {}

    public mutating func connected(socketID: String) -> [SignalingDelivery] {
        if !self.sockets.contains(socketID) {
            self.sockets.append(socketID)
        }
        return [SignalingDelivery(to: socketID, event: "message", .string(Self.welcome))]
    }

    public mutating func disconnected(socketID: String) {
        self.sockets.removeAll { $0 == socketID }
    }

    /// The original's handlers take one parameter and re-emit only it (`emit(event, data)`); an event without any
    /// argument goes on with `null` (`JSON.stringify` writes an undefined array element so).
    static func firstArgument(of arguments: [JSONValue]) -> [JSONValue] {
        [arguments.first ?? .null]
    }

    /// `nil` when the event is not part of the dialect (dropped and counted by the caller).
    public func received(event: String, arguments: [JSONValue], from socketID: String) -> [SignalingDelivery]? {
        switch event {
        case "offer", "answer", "_ice_candidate":
            return self.sockets.filter { $0 != socketID }.map {
                SignalingDelivery(to: $0, event: event, arguments: Self.firstArgument(of: arguments))
            }
        case "wav":
            return self.sockets.map {
                SignalingDelivery(to: $0, event: "wavMsg", arguments: Self.firstArgument(of: arguments))
            }
        default:
            return nil
        }
    }
}
