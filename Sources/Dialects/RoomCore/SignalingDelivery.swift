import SocketIOCodec

/// One message a dialect's state machine decided to send; the dialect sends it after releasing its lock.
public struct SignalingDelivery: Sendable, Equatable {
    /// The receiving socket (or raw WebSocket client) id.
    public var to: String
    public var event: String
    public var arguments: [JSONValue]

    public init(to: String, event: String, _ arguments: JSONValue...) {
        self.to = to
        self.event = event
        self.arguments = arguments
    }

    public init(to: String, event: String, arguments: [JSONValue]) {
        self.to = to
        self.event = event
        self.arguments = arguments
    }
}

extension JSONValue {
    /// An object of the present members only: `JSON.stringify` drops `undefined` values, and the originals copy
    /// possibly-missing fields, so an absent field must stay absent rather than become `null`.
    static func object(dropping pairs: [(String, JSONValue?)]) -> JSONValue {
        .object(JSONObject(pairs.compactMap { key, value in value.map { (key, $0) } }))
    }
}
