/// The handshake data of an Engine.IO `open` packet (Engine.IO v4 §"Handshake").
///
/// ``json(version:)`` writes the compact JSON with the keys in the reference server's order:
/// `{"sid":"…","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}`.
/// The conformance suites check the key set exactly, so nothing else is written. Engine.IO v3 has no `maxPayload`
/// (Engine.IO v3 §"Anatomy of an Engine.IO session"), so it is left out for v3.
public struct EngineIOHandshake: Sendable, Hashable {
    /// The session id: unguessable, distinct from any Socket.IO socket id (the reference uses 15 random-ish bytes in
    /// URL-safe base64, 20 characters).
    public var sid: String
    /// The transports the client may upgrade to: `["websocket"]` on a polling session, `[]` on a WebSocket session.
    public var upgrades: [String]
    /// Milliseconds between heartbeats.
    public var pingInterval: Int
    /// Milliseconds to wait for the heartbeat answer.
    public var pingTimeout: Int
    /// The largest polling body, in bytes, the client should send (v4 only; `nil` leaves it out).
    public var maxPayload: Int?

    /// Creates a handshake; the defaults are the reference server's.
    public init(
        sid: String,
        upgrades: [String] = ["websocket"],
        pingInterval: Int = 25_000,
        pingTimeout: Int = 20_000,
        maxPayload: Int? = 1_000_000
    ) {
        self.sid = sid
        self.upgrades = upgrades
        self.pingInterval = pingInterval
        self.pingTimeout = pingTimeout
        self.maxPayload = maxPayload
    }

    /// Reads the handshake from the JSON of an `open` packet.
    ///
    /// `sid`, `pingInterval` and `pingTimeout` are required; `upgrades` defaults to `[]` (the v3 WebSocket-only
    /// handshake omits it) and `maxPayload` to `nil`. Other keys are ignored.
    ///
    /// - Throws: ``SocketIOCodecError/invalidHandshake`` if the JSON is invalid or a required key is missing or of the
    ///   wrong type.
    public init(json: String) throws(SocketIOCodecError) {
        guard let value = try? JSONValue(parsing: json), let object = value.objectValue,
            let sid = object["sid"]?.stringValue,
            let pingInterval = object["pingInterval"]?.intValue,
            let pingTimeout = object["pingTimeout"]?.intValue
        else {
            throw SocketIOCodecError.invalidHandshake
        }
        var upgrades: [String] = []
        if let list = object["upgrades"] {
            guard let elements = list.arrayValue else {
                throw SocketIOCodecError.invalidHandshake
            }
            for element in elements {
                guard let name = element.stringValue else {
                    throw SocketIOCodecError.invalidHandshake
                }
                upgrades.append(name)
            }
        }
        var maxPayload: Int?
        if let limit = object["maxPayload"] {
            guard let number = limit.intValue else {
                throw SocketIOCodecError.invalidHandshake
            }
            maxPayload = number
        }
        self.init(
            sid: sid,
            upgrades: upgrades,
            pingInterval: pingInterval,
            pingTimeout: pingTimeout,
            maxPayload: maxPayload
        )
    }

    /// The handshake JSON for the given revision, compact and in the reference key order.
    public func json(version: EngineIOProtocolVersion) -> String {
        var object = JSONObject()
        object["sid"] = .string(self.sid)
        object["upgrades"] = .array(self.upgrades.map { .string($0) })
        object["pingInterval"] = .number(JSONNumber(self.pingInterval))
        object["pingTimeout"] = .number(JSONNumber(self.pingTimeout))
        if version == .v4, let maxPayload = self.maxPayload {
            object["maxPayload"] = .number(JSONNumber(maxPayload))
        }
        return JSONValue.object(object).serialized()
    }

    /// The `open` packet carrying this handshake.
    public func openPacket(version: EngineIOProtocolVersion) -> EngineIOPacket {
        .open(self.json(version: version))
    }
}
