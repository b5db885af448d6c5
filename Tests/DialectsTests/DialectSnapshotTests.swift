import SocketIOCodec
import Testing

@testable import Dialects

/// A cluster snapshot of each dialect's state (docs/cluster.md#joining): a state restored from another node's JSON
/// decides the next events exactly as the original does.
@Suite struct DialectSnapshotTests {
    private func lines(_ deliveries: [SignalingDelivery]) -> [String] {
        deliveries.map { "\($0.to) \($0.event) \($0.arguments.map { $0.serialized() }.joined(separator: ","))" }
    }

    private func chatroomEffects(_ effects: [ChatroomState.Effect]) -> [String] {
        effects.map { effect in
            if case .deliver(let delivery) = effect {
                return self.lines([delivery])[0]
            }
            return "\(effect)"
        }
    }

    /// Sends the JSON through its text form, as the log does.
    private func throughText(_ json: JSONValue) throws -> JSONValue {
        try JSONValue(parsing: json.serialized())
    }

    @Test func chatroom() throws {
        var state = ChatroomState()
        for socket in ["s1", "s2", "s3"] {
            state.connected(socketID: socket)
        }
        for (socket, id, name) in [("s1", "u1", "ann"), ("s2", "u2", "bob")] {
            _ = state.received(
                event: "join",
                arguments: [["id": .string(id), "username": .string(name), "roomname": "r"]],
                from: socket
            )
        }
        _ = state.received(
            event: "offer",
            arguments: [["connectorId": "c1", "memberId": "s2", "offer": ["type": "offer"], "streamType": "user"]],
            from: "s1"
        )
        _ = state.disconnected(socketID: "s2")
        var restored = try #require(ChatroomState(json: try self.throughText(state.json), maxMembersPerRoom: 0))
        #expect(restored.json == state.json)
        #expect(restored.isRepeat(username: "bob", roomname: "r"))
        let next: (inout ChatroomState) -> [ChatroomState.Effect] = {
            $0.received(event: "join", arguments: [["id": "u3", "username": "cat", "roomname": "r"]], from: "s3")
                + $0.graceExpired(userID: "u2", socketID: "s2")
        }
        #expect(self.chatroomEffects(next(&restored)) == self.chatroomEffects(next(&state)))
        #expect(ChatroomState(json: ["clients": [:]], maxMembersPerRoom: 0) == nil)
    }

    @Test func webRtcRoomAndSocketIM() throws {
        var state = LegacyDialectsState()
        for socket in ["a", "b", "c", "d"] {
            _ = state.connected(socketID: socket)
        }
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "a")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "b")
        _ = state.received(event: "offer", arguments: [["sdp": "x"]], from: "c")
        var restored = try #require(LegacyDialectsState(json: try self.throughText(state.json), maxMembersPerRoom: 0))
        #expect(restored.json == state.json)
        let next: (inout LegacyDialectsState) -> [String] = { state in
            var lines: [String] = []
            for (event, socket) in [("createAndJoinRoom", "d"), ("answer", "c")] {
                switch state.received(event: event, arguments: [["room": "r1"]], from: socket).outcome {
                case .webRtcRoom(let outcome): lines += self.lines(outcome.deliveries)
                case .socketIM(let deliveries): lines += self.lines(deliveries ?? [])
                }
            }
            return lines + self.lines(state.disconnected(socketID: "a"))
        }
        #expect(next(&restored) == next(&state))
        #expect(!next(&state).isEmpty)
    }

    @Test func rawWebSocket() throws {
        var state = RawWebSocketState()
        _ = state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c1")
        _ = state.received(text: #"{"type":"join","id":"bob","nick":"Bob"}"#, from: "c2")
        _ = state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c3")
        var restored = try #require(RawWebSocketState(json: try self.throughText(state.json)))
        #expect(restored.json == state.json)
        let offer = #"{"type":"offer","sdp":"v=0"}"#
        #expect(
            self.lines(restored.received(text: offer, from: "c2").deliveries)
                == self.lines(state.received(text: offer, from: "c2").deliveries)
        )
        #expect(self.lines(restored.closed(connection: "c3")) == self.lines(state.closed(connection: "c3")))
        #expect(RawWebSocketState(json: ["clients": 1]) == nil)
    }
}
