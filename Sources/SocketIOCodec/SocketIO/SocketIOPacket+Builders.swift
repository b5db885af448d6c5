/// Builders for the packets a server sends during namespace connection, in the form each protocol revision expects.
extension SocketIOPacket {
    /// The server's acceptance of a namespace connection.
    ///
    /// Socket.IO v5: `0[/nsp,]{"sid":"<socket id>"}`, exactly the key `sid` (the v5 suite checks the key set); the
    /// socket id is a new random id, not the Engine.IO session id. Socket.IO v4: `0[/nsp,]` with no payload (the
    /// client derives the socket id itself).
    public static func connect(
        namespace: String = SocketIONamespace.root,
        socketID: String,
        version: SocketIOProtocolVersion
    ) -> SocketIOPacket {
        switch version {
        case .v5:
            let payload: JSONValue = ["sid": .string(socketID)]
            return SocketIOPacket(type: .connect, namespace: namespace, payload: payload.serialized())
        case .v4:
            return SocketIOPacket(type: .connect, namespace: namespace)
        }
    }

    /// The server's refusal of a namespace connection.
    ///
    /// Socket.IO v5: `4[/nsp,]{"message":"…"}`, plus `"data"` when given (`44/random,{"message":"Invalid
    /// namespace"}`). Socket.IO v4: the ERROR packet with the message as a JSON string (`4/admin,"Not authorized"`).
    public static func connectError(
        namespace: String = SocketIONamespace.root,
        message: String,
        data: JSONValue? = nil,
        version: SocketIOProtocolVersion
    ) -> SocketIOPacket {
        let payload: JSONValue
        switch version {
        case .v5:
            var object: JSONObject = ["message": .string(message)]
            if let data {
                object["data"] = data
            }
            payload = .object(object)
        case .v4:
            payload = .string(message)
        }
        return SocketIOPacket(type: .connectError, namespace: namespace, payload: payload.serialized())
    }

    /// A disconnection from a namespace: `1[/nsp,]`.
    public static func disconnect(namespace: String = SocketIONamespace.root) -> SocketIOPacket {
        SocketIOPacket(type: .disconnect, namespace: namespace)
    }
}
