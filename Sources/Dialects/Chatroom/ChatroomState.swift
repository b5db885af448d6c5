import SocketIOCodec

/// Dialect A, "chatroom-server" (docs/dialects.md#chatroom), as a pure state machine: events in, deliveries and timer
/// effects out. It reproduces every message of the original's normal flows byte for byte (absent fields stay
/// absent, no field is added) and applies the resolutions of docs/dialects.md#differences: never crash on bad input and
/// fix the stale-timer and self-getOffer defects (docs/dialects.md#chatroom-stale-grace, #chatroom-self-getoffer).
///
/// Unlike the original, which delivered to any live socket id, a socket speaks only for the user it joined as, and
/// only while it is that user's current socket; targeted events (`offer`, `answer`, `icecandidate`,
/// `reconnectWork`) reach only the current sockets of members of the sender's room, and anything else gets
/// `error {type:"notJoined"}` or `error {type:"notInRoom"}` with nothing delivered.
public struct ChatroomState: Sendable {
    /// `StreamTypeEnum` of the clients, in the order the server walks a user's peer maps.
    static let streamTypes = ["user", "display", "remoteDisplay"]

    /// `error {type:"repeat"}` message of the original ("a user with this name already exists in this room").
    public static let repeatMessage = "此房间该用户名已存在"

    /// A joined user (`userInfoMap[id]`).
    struct User: Sendable {
        var id: String
        var username: String
        var roomname: String
        var socketID: String
        /// Peer connectors by the stream type the peer reported: peer connector id → peer socket id, in insertion
        /// order (a JavaScript `Map`).
        var peers: [String: [(connectorID: String, socketID: String)]] = [:]

        mutating func setPeer(streamType: String, connectorID: String, socketID: String) {
            if let index = self.peers[streamType]?.firstIndex(where: { $0.connectorID == connectorID }) {
                self.peers[streamType]?[index].socketID = socketID
            } else {
                self.peers[streamType, default: []].append((connectorID, socketID))
            }
        }

        /// Every recorded peer connector, `user` first, then `display`, then `remoteDisplay`.
        var knownPeers: [(streamType: String, connectorID: String, socketID: String)] {
            ChatroomState.streamTypes.flatMap { type in
                (self.peers[type] ?? []).map { (type, $0.connectorID, $0.socketID) }
            }
        }
    }

    /// What the dialect must do after an event.
    public enum Effect: Sendable, Equatable {
        case deliver(SignalingDelivery)
        /// Send the `iceServers` event to this socket (after an accepted join).
        case sendICEServers(socketID: String)
        /// Start (or restart) the disconnect grace of a user whose socket went away.
        case startGrace(userID: String, socketID: String)
        case cancelGrace(userID: String)
    }

    /// Live sockets (`clients`) and the user each has joined as.
    var clients: [String: String?] = [:]
    /// Rooms of users, keyed by user id.
    var rooms = RoomRegistry<User>()
    /// Members per room; 0 is unlimited, as the original.
    public var maxMembersPerRoom: Int

    public init(maxMembersPerRoom: Int = 0) {
        self.maxMembersPerRoom = maxMembersPerRoom
    }

    // MARK: - Connections

    public mutating func connected(socketID: String) {
        self.clients[socketID] = .some(nil)
    }

    /// The socket is gone: its `clients` entry goes at once; its user, if any, gets the disconnect grace.
    public mutating func disconnected(socketID: String) -> [Effect] {
        guard let entry = self.clients.removeValue(forKey: socketID), let userID = entry else {
            return []
        }
        guard self.rooms.member(userID) != nil else {
            return []
        }
        return [.startGrace(userID: userID, socketID: socketID)]
    }

    /// The grace ran out: the user leaves its room and its peers get `leave`, unless the user has reconnected on
    /// another socket meanwhile (the original's stale-timer defect, docs/dialects.md#chatroom-stale-grace).
    public mutating func graceExpired(userID: String, socketID: String) -> [Effect] {
        guard let user = self.rooms.member(userID), user.socketID == socketID, self.clients[socketID] == nil else {
            return []
        }
        return self.remove(user)
    }

    /// One socket, one user: before a socket joins as `id`, the other user it speaks for leaves its room (else a
    /// socket joining with fresh ids would leave a user behind each time, forever).
    private mutating func releaseUser(of socketID: String, unless id: String) -> [Effect] {
        guard let user = self.member(socket: socketID), user.id != id else {
            return []
        }
        return self.remove(user)
    }

    /// Removes a user from its room; each recorded peer that is still a member there gets `leave` with the connector
    /// it knows (nobody, when the room emptied).
    private mutating func remove(_ user: User) -> [Effect] {
        self.rooms.remove(user.id)
        return user.knownPeers.compactMap { peer in
            guard self.member(socket: peer.socketID)?.roomname == user.roomname else {
                return nil
            }
            return .deliver(
                SignalingDelivery(
                    to: peer.socketID,
                    event: "leave",
                    ["connectorId": .string(peer.connectorID), "memberId": .string(user.socketID)]
                )
            )
        }
    }

    /// Rooms and their members' names, for the status page.
    public var roomSummary: [(room: String, members: [String])] {
        self.rooms.roomNames.sorted().map { room in (room, self.rooms.members(of: room).map(\.member.username)) }
    }

    /// `GET /checkUsername`: whether the room has a member (live or in its grace) with exactly this name.
    public func isRepeat(username: String, roomname: String) -> Bool {
        self.rooms.members(of: roomname).contains { $0.member.username == username }
    }

    // MARK: - Events

    /// One client event; unknown events are ignored, as by the original.
    public mutating func received(event: String, arguments: [JSONValue], from socketID: String) -> [Effect] {
        guard self.clients[socketID] != nil else {
            return []
        }
        let payload = arguments.first ?? .null
        switch event {
        case "join": return self.join(payload, from: socketID)
        case "offer": return self.offer(payload, from: socketID)
        case "answer": return self.answer(payload, from: socketID)
        case "icecandidate": return self.iceCandidate(payload, from: socketID)
        case "leave": return self.leave(payload, from: socketID)
        case "reconnect": return self.reconnect(payload, from: socketID)
        case "reconnectWork": return self.reconnectWork(payload, from: socketID)
        default: return []
        }
    }

    /// A's only error event, used for bad input too (the clients act on `type:"repeat"` and ignore the rest).
    static func error(to socketID: String, type: String, message: String) -> Effect {
        .deliver(
            SignalingDelivery(to: socketID, event: "error", ["type": .string(type), "message": .string(message)])
        )
    }

    /// The user a socket speaks for: the one it joined (or reconnected) as, while that user is in a room and this
    /// is its current socket. A socket whose user left, or that a reconnect superseded, speaks for no one.
    private func member(socket socketID: String) -> User? {
        guard let userID = self.clients[socketID] ?? nil, let user = self.rooms.member(userID),
            user.socketID == socketID
        else {
            return nil
        }
        return user
    }

    /// Where a targeted event goes: to the target, or nowhere, with the error the sender gets instead.
    private enum Route {
        case target(String)
        case refused(Effect)
    }

    /// Routes a targeted event: the target socket when both it and the sender are current sockets of members of
    /// one room. A target that is gone, unknown or elsewhere gets the same error, so a refusal tells an outsider
    /// nothing about other rooms.
    private func route(to target: JSONValue?, from socketID: String, event: String) -> Route {
        guard let sender = self.member(socket: socketID) else {
            return .refused(Self.error(to: socketID, type: "notJoined", message: "\(event): join a room first"))
        }
        guard let target = target?.stringValue, let receiver = self.member(socket: target),
            receiver.roomname == sender.roomname
        else {
            return .refused(
                Self.error(to: socketID, type: "notInRoom", message: "\(event): memberId is not in your room")
            )
        }
        return .target(target)
    }

    /// `join {id, username, roomname}` (docs/dialects.md#chatroom-events).
    private mutating func join(_ payload: JSONValue, from socketID: String) -> [Effect] {
        guard let id = payload["id"]?.stringValue, let username = payload["username"]?.stringValue,
            let roomname = payload["roomname"]?.stringValue
        else {
            return [Self.error(to: socketID, type: "invalid", message: "join expects {id, username, roomname} strings")]
        }
        let members = self.rooms.members(of: roomname)
        // The joiner's own entry counts too, as in the original: a second join with the same name answers repeat
        // instead of asking every member for a new offer.
        if members.contains(where: { $0.member.username == username }) {
            return [Self.error(to: socketID, type: "repeat", message: Self.repeatMessage)]
        }
        if self.maxMembersPerRoom > 0 && members.filter({ $0.key != id }).count >= self.maxMembersPerRoom {
            return [Self.error(to: socketID, type: "full", message: "this room is full")]
        }
        var effects = self.releaseUser(of: socketID, unless: id)
        self.clients[socketID] = .some(id)
        for member in self.rooms.members(of: roomname) where member.key != id {
            if self.member(socket: member.member.socketID)?.id == member.key {
                effects.append(
                    .deliver(
                        SignalingDelivery(
                            to: member.member.socketID,
                            event: "getOffer",
                            ["memberId": .string(socketID)]
                        )
                    )
                )
            }
        }
        self.rooms.join(
            room: roomname,
            key: id,
            member: User(id: id, username: username, roomname: roomname, socketID: socketID)
        )
        effects.append(.cancelGrace(userID: id))
        effects.append(.sendICEServers(socketID: socketID))
        return effects
    }

    /// For `offer` and `answer`: the route to the target (a member of the sender's room); when it is open, the
    /// sender's connector is recorded in the target user's map under the stream type the sender reported
    /// (docs/dialects.md#chatroom-peer-bookkeeping).
    private mutating func recordPeerConnector(_ payload: JSONValue, from socketID: String, event: String) -> Route {
        let route = self.route(to: payload["memberId"], from: socketID, event: event)
        guard case .target(let target) = route, let targetUser = self.clients[target] ?? nil else {
            return route
        }
        if let streamType = payload["streamType"]?.stringValue, let connectorID = payload["connectorId"]?.stringValue {
            self.rooms.update(targetUser) {
                $0.setPeer(streamType: streamType, connectorID: connectorID, socketID: socketID)
            }
        }
        return route
    }

    /// `offer {connectorId, memberId, offer, streamType}` → the target gets
    /// `offer {remoteConnectorId, offer, memberId, streamType}`.
    private mutating func offer(_ payload: JSONValue, from socketID: String) -> [Effect] {
        let target: String
        switch self.recordPeerConnector(payload, from: socketID, event: "offer") {
        case .target(let socket): target = socket
        case .refused(let error): return [error]
        }
        return [
            .deliver(
                SignalingDelivery(
                    to: target,
                    event: "offer",
                    .object(dropping: [
                        ("remoteConnectorId", payload["connectorId"]), ("offer", payload["offer"]),
                        ("memberId", .string(socketID)), ("streamType", payload["streamType"]),
                    ])
                )
            )
        ]
    }

    /// `answer {remoteConnectorId, connectorId, memberId, answer, streamType}` → the offerer gets
    /// `answer {remoteConnectorId: connectorId, connectorId: remoteConnectorId, answer, memberId}`; `streamType` is
    /// not forwarded.
    private mutating func answer(_ payload: JSONValue, from socketID: String) -> [Effect] {
        let target: String
        switch self.recordPeerConnector(payload, from: socketID, event: "answer") {
        case .target(let socket): target = socket
        case .refused(let error): return [error]
        }
        return [
            .deliver(
                SignalingDelivery(
                    to: target,
                    event: "answer",
                    .object(dropping: [
                        ("remoteConnectorId", payload["connectorId"]), ("connectorId", payload["remoteConnectorId"]),
                        ("answer", payload["answer"]), ("memberId", .string(socketID)),
                    ])
                )
            )
        ]
    }

    /// `icecandidate {remoteConnectorId, memberId, candidate}` → `icecandidate {connectorId, candidate}`.
    private func iceCandidate(_ payload: JSONValue, from socketID: String) -> [Effect] {
        let target: String
        switch self.route(to: payload["memberId"], from: socketID, event: "icecandidate") {
        case .target(let socket): target = socket
        case .refused(let error): return [error]
        }
        return [
            .deliver(
                SignalingDelivery(
                    to: target,
                    event: "icecandidate",
                    .object(dropping: [
                        ("connectorId", payload["remoteConnectorId"]), ("candidate", payload["candidate"]),
                    ])
                )
            )
        ]
    }

    /// `leave [{remoteConnectorId?, memberId}, …]`: the user leaves its room, each listed peer that is a member of
    /// that room gets `leave {connectorId, memberId}` (other entries are skipped: the leave itself stands).
    private mutating func leave(_ payload: JSONValue, from socketID: String) -> [Effect] {
        guard let user = self.member(socket: socketID) else {
            // Not in a room (the page-unload handler sends leave anyway).
            return payload.arrayValue == nil
                ? [Self.error(to: socketID, type: "invalid", message: "leave expects an array")] : []
        }
        guard let elements = payload.arrayValue else {
            // The user still leaves, as in the original (which removed it before failing on the payload); with no
            // list of connectors nobody is told.
            self.rooms.remove(user.id)
            return [Self.error(to: socketID, type: "invalid", message: "leave expects an array")]
        }
        let notices: [Effect] = elements.compactMap { element in
            guard let target = element["memberId"]?.stringValue,
                self.member(socket: target)?.roomname == user.roomname
            else {
                return nil
            }
            return .deliver(
                SignalingDelivery(
                    to: target,
                    event: "leave",
                    .object(dropping: [("connectorId", element["remoteConnectorId"]), ("memberId", .string(socketID))])
                )
            )
        }
        self.rooms.remove(user.id)
        return notices
    }

    /// `reconnect {id, username, roomname}` after an automatic Socket.IO reconnect (docs/dialects.md#chatroom-events).
    private mutating func reconnect(_ payload: JSONValue, from socketID: String) -> [Effect] {
        guard let id = payload["id"]?.stringValue else {
            return [Self.error(to: socketID, type: "invalid", message: "reconnect expects {id, username, roomname}")]
        }
        guard var user = self.rooms.member(id) else {
            // No record (grace expired, server restarted, room gone): tell the client, then join afresh.
            return [.deliver(SignalingDelivery(to: socketID, event: "reconnect", ["type": "leave"]))]
                + self.join(payload, from: socketID)
        }
        var effects: [Effect] = [.cancelGrace(userID: id)] + self.releaseUser(of: socketID, unless: id)
        // The user's own entry is excluded, even when its old socket is still live (the self-getOffer defect).
        let inRoom = self.rooms.members(of: user.roomname).compactMap { member -> String? in
            guard member.key != id, self.member(socket: member.member.socketID)?.id == member.key else {
                return nil
            }
            return member.member.socketID
        }
        let known = user.knownPeers
        let knownSockets = Set(known.map(\.socketID))
        for socket in inRoom where !knownSockets.contains(socket) {
            effects.append(.deliver(SignalingDelivery(to: socket, event: "getOffer", ["memberId": .string(socketID)])))
        }
        for peer in known {
            if inRoom.contains(peer.socketID) {
                effects.append(
                    .deliver(
                        SignalingDelivery(
                            to: peer.socketID,
                            event: "reconnect",
                            ["type": "getOffer", "connectorId": .string(peer.connectorID)]
                        )
                    )
                )
            } else {
                user.peers[peer.streamType]?.removeAll { $0.connectorID == peer.connectorID }
                effects.append(
                    .deliver(
                        SignalingDelivery(
                            to: socketID,
                            event: "reconnect",
                            ["type": "leave", "memberId": .string(peer.socketID)]
                        )
                    )
                )
            }
        }
        user.socketID = socketID
        let updated = user
        self.rooms.update(id) { $0 = updated }
        self.clients[socketID] = .some(id)
        effects.append(.sendICEServers(socketID: socketID))
        return effects
    }

    /// `reconnectWork {type, data, connectorId, memberId}` → `reconnect {type, data, connectorId, memberId}` to
    /// `memberId`, a member of the sender's room, reproduced as the original routes it
    /// (docs/dialects.md#chatroom-reconnectwork); without `memberId` (what the original clients send,
    /// docs/dialects.md#chatroom-reconnectwork) it is dropped silently, as by the original.
    private func reconnectWork(_ payload: JSONValue, from socketID: String) -> [Effect] {
        guard payload["memberId"] != nil else {
            return []
        }
        let target: String
        switch self.route(to: payload["memberId"], from: socketID, event: "reconnectWork") {
        case .target(let socket): target = socket
        case .refused(let error): return [error]
        }
        return [
            .deliver(
                SignalingDelivery(
                    to: target,
                    event: "reconnect",
                    .object(dropping: [
                        ("type", payload["type"]), ("data", payload["data"]), ("connectorId", payload["connectorId"]),
                        ("memberId", .string(target)),
                    ])
                )
            )
        ]
    }
}
