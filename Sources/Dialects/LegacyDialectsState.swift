import SocketIOCodec

/// Dialects B and D on one Engine.IO v3 endpoint, as a pure state machine: which dialect each socket speaks and the
/// two dialects' state machines (docs/dialects.md#selection).
///
/// A socket is undecided until its first signaling event (`createAndJoinRoom` makes it B; `offer`, `answer`,
/// `_ice_candidate` or `wav` makes it D) unless its endpoint pins the dialect. An undecided socket is counted in D
/// only, since a D callee says nothing before the offer reaches it; B's events (`exit` on a disconnect) go to B
/// sockets only, and an undecided socket that disconnects tells nobody anything (it joined no room, so no B client
/// knows its id).
public struct LegacyDialectsState: Sendable {
    public enum Choice: Sendable, Equatable {
        case undecided
        case webRtcRoom
        case socketIM
    }

    /// The outcome of one event.
    enum Outcome: Sendable, Equatable {
        case webRtcRoom(WebRtcRoomState.Outcome)
        /// D's deliveries; `nil` when the event is not part of either dialect (dropped and counted).
        case socketIM([SignalingDelivery]?)
    }

    var webRtcRoom: WebRtcRoomState
    var socketIM = SocketIMState()
    var choices: [String: Choice] = [:]

    init(maxMembersPerRoom: Int = 0) {
        self.webRtcRoom = WebRtcRoomState(maxMembersPerRoom: maxMembersPerRoom)
    }

    /// Sets B's room size for the joins that follow.
    mutating func setMaxMembersPerRoom(_ limit: Int) {
        self.webRtcRoom.maxMembersPerRoom = limit
    }

    /// A socket connected; returns D's welcome for a socket that may speak D.
    mutating func connected(socketID: String, pinned: Choice = .undecided) -> [SignalingDelivery] {
        self.choices[socketID] = pinned
        switch pinned {
        case .webRtcRoom:
            self.webRtcRoom.connected(socketID: socketID)
            return []
        case .undecided, .socketIM:
            return self.socketIM.connected(socketID: socketID)
        }
    }

    /// One event. `decided` is the dialect the event made an undecided socket choose, if it did.
    mutating func received(
        event: String,
        arguments: [JSONValue],
        from socketID: String
    ) -> (outcome: Outcome, decided: Choice?) {
        var choice = self.choices[socketID] ?? .undecided
        var decided: Choice?
        if choice == .undecided {
            switch event {
            case "createAndJoinRoom":
                choice = .webRtcRoom
                self.socketIM.disconnected(socketID: socketID)
                self.webRtcRoom.connected(socketID: socketID)
            case "offer", "answer", "_ice_candidate", "wav":
                choice = .socketIM
            default:
                return (.socketIM(nil), nil)
            }
            self.choices[socketID] = choice
            decided = choice
        }
        switch choice {
        case .webRtcRoom, .undecided:
            return (.webRtcRoom(self.webRtcRoom.received(event: event, arguments: arguments, from: socketID)), decided)
        case .socketIM:
            return (.socketIM(self.socketIM.received(event: event, arguments: arguments, from: socketID)), decided)
        }
    }

    /// A socket went away: a B socket's disconnect tells every other B socket `exit {from, room:""}`.
    mutating func disconnected(socketID: String) -> [SignalingDelivery] {
        let choice = self.choices.removeValue(forKey: socketID)
        self.socketIM.disconnected(socketID: socketID)
        guard choice == .webRtcRoom else {
            return []
        }
        return self.webRtcRoom.disconnected(socketID: socketID)
    }
}
