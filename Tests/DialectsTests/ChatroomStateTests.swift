import SocketIOCodec
import Testing

@testable import Dialects

/// Dialect A's flows with exact payloads (seed-protocols.md §2), on the pure state machine.
@Suite struct ChatroomStateTests {
    private func deliveries(_ effects: [ChatroomState.Effect]) -> [String] {
        effects.compactMap { effect in
            guard case .deliver(let delivery) = effect else {
                return nil
            }
            return
                "\(delivery.to) \(delivery.event) \(delivery.arguments.map { $0.serialized() }.joined(separator: ","))"
        }
    }

    private func join(
        _ state: inout ChatroomState,
        socket: String,
        id: String,
        name: String,
        room: String = "r"
    )
        -> [ChatroomState.Effect]
    {
        state.received(
            event: "join",
            arguments: [["id": .string(id), "username": .string(name), "roomname": .string(room)]],
            from: socket
        )
    }

    private func joinedState() -> ChatroomState {
        var state = ChatroomState()
        for socket in ["s1", "s2", "s3"] {
            state.connected(socketID: socket)
        }
        _ = self.join(&state, socket: "s1", id: "u1", name: "ann")
        _ = self.join(&state, socket: "s2", id: "u2", name: "bob")
        return state
    }

    @Test func joinSendsGetOfferToEveryLiveMemberAndNothingToTheJoiner() {
        var state = ChatroomState()
        for socket in ["s1", "s2", "s3"] {
            state.connected(socketID: socket)
        }
        #expect(self.deliveries(self.join(&state, socket: "s1", id: "u1", name: "ann")).isEmpty)
        #expect(
            self.deliveries(self.join(&state, socket: "s2", id: "u2", name: "bob")) == [
                #"s1 getOffer {"memberId":"s2"}"#
            ]
        )
        let third = self.join(&state, socket: "s3", id: "u3", name: "cat")
        #expect(self.deliveries(third) == [#"s1 getOffer {"memberId":"s3"}"#, #"s2 getOffer {"memberId":"s3"}"#])
        #expect(third.contains(.sendICEServers(socketID: "s3", user: "cat")))
    }

    @Test func duplicateUsernameGetsTheRepeatErrorAndChangesNothing() {
        var state = self.joinedState()
        let effects = self.join(&state, socket: "s3", id: "u3", name: "bob")
        #expect(self.deliveries(effects) == [#"s3 error {"type":"repeat","message":"此房间该用户名已存在"}"#])
        #expect(state.isRepeat(username: "bob", roomname: "r"))
        #expect(!state.isRepeat(username: "Bob", roomname: "r"))
        #expect(!state.isRepeat(username: "bob", roomname: "other"))
        // The same name in another room is fine.
        #expect(
            !self.deliveries(self.join(&state, socket: "s3", id: "u3", name: "bob", room: "other")).contains {
                $0.contains("error")
            }
        )
    }

    @Test func offerAnswerAndCandidatesAreRewrittenForTheReceiver() {
        var state = self.joinedState()
        let sdpOffer: JSONValue = ["type": "offer", "sdp": "v=0\r\n"]
        let offer = state.received(
            event: "offer",
            arguments: [["connectorId": "c1", "memberId": "s2", "offer": sdpOffer, "streamType": "user"]],
            from: "s1"
        )
        #expect(
            self.deliveries(offer)
                == [
                    #"s2 offer {"remoteConnectorId":"c1","offer":{"type":"offer","sdp":"v=0\r\n"},"memberId":"s1","streamType":"user"}"#
                ]
        )
        let answer = state.received(
            event: "answer",
            arguments: [
                [
                    "remoteConnectorId": "c1", "connectorId": "c2", "memberId": "s1",
                    "answer": ["type": "answer", "sdp": "v=0"], "streamType": "user",
                ]
            ],
            from: "s2"
        )
        #expect(
            self.deliveries(answer)
                == [
                    #"s1 answer {"remoteConnectorId":"c2","connectorId":"c1","answer":{"type":"answer","sdp":"v=0"},"memberId":"s2"}"#
                ]
        )
        let candidate = state.received(
            event: "icecandidate",
            arguments: [
                [
                    "remoteConnectorId": "c2", "memberId": "s2",
                    "candidate": ["candidate": "candidate:1", "sdpMid": "0", "sdpMLineIndex": 0],
                ]
            ],
            from: "s1"
        )
        #expect(
            self.deliveries(candidate)
                == [
                    #"s2 icecandidate {"connectorId":"c2","candidate":{"candidate":"candidate:1","sdpMid":"0","sdpMLineIndex":0}}"#
                ]
        )
    }

    @Test func absentFieldsStayAbsent() {
        var state = self.joinedState()
        let offer = state.received(event: "offer", arguments: [["memberId": "s2", "offer": "x"]], from: "s1")
        #expect(self.deliveries(offer) == [#"s2 offer {"offer":"x","memberId":"s1"}"#])
        let leave = state.received(event: "leave", arguments: [[["memberId": "s2"]]], from: "s1")
        #expect(self.deliveries(leave) == [#"s2 leave {"memberId":"s1"}"#])
    }

    @Test func badInputNeverCrashesAndGetsAnErrorWhereAHasOne() {
        var state = self.joinedState()
        for (event, payload) in [
            ("join", JSONValue.string("nope")), ("join", ["id": 1]), ("leave", ["not": "array"]), ("reconnect", .null),
        ] as [(String, JSONValue)] {
            let effects = state.received(event: event, arguments: [payload], from: "s3")
            #expect(self.deliveries(effects).allSatisfy { $0.hasPrefix("s3 error {\"type\":\"invalid\"") })
        }
        // Unknown or unjoined targets are dropped silently (the original crashed on unjoined ones).
        #expect(state.received(event: "offer", arguments: [["memberId": "s3", "offer": "x"]], from: "s1").isEmpty)
        #expect(state.received(event: "offer", arguments: [["memberId": "nobody"]], from: "s1").isEmpty)
        #expect(state.received(event: "answer", arguments: [], from: "s1").isEmpty)
        #expect(state.received(event: "unknownEvent", arguments: [1], from: "s1").isEmpty)
    }

    @Test func explicitLeaveTellsTheListedPeersAndFreesTheName() {
        var state = self.joinedState()
        let leave = state.received(
            event: "leave",
            arguments: [[["remoteConnectorId": "c9", "memberId": "s2"], ["memberId": "gone"]]],
            from: "s1"
        )
        #expect(self.deliveries(leave) == [#"s2 leave {"connectorId":"c9","memberId":"s1"}"#])
        #expect(!state.isRepeat(username: "ann", roomname: "r"))
    }

    @Test func disconnectGraceThenExpiryFansOutLeave() {
        var state = self.joinedState()
        _ = state.received(
            event: "offer",
            arguments: [["connectorId": "c1", "memberId": "s2", "offer": "o", "streamType": "user"]],
            from: "s1"
        )
        // s2's user now records s1's connector c1; when s2 goes away, s1 is told about c1.
        #expect(state.disconnected(socketID: "s2") == [.startGrace(userID: "u2", socketID: "s2")])
        #expect(state.isRepeat(username: "bob", roomname: "r"))  // still taken during the grace
        #expect(
            self.deliveries(state.graceExpired(userID: "u2", socketID: "s2")) == [
                #"s1 leave {"connectorId":"c1","memberId":"s2"}"#
            ]
        )
        #expect(!state.isRepeat(username: "bob", roomname: "r"))
    }

    @Test func reconnectInsideTheGraceKeepsTheSlotAndAsksPeersToRenegotiate() {
        var state = self.joinedState()
        _ = state.received(
            event: "offer",
            arguments: [["connectorId": "c1", "memberId": "s2", "offer": "o", "streamType": "user"]],
            from: "s1"
        )
        _ = state.disconnected(socketID: "s2")
        state.connected(socketID: "s4")
        let effects = state.received(
            event: "reconnect",
            arguments: [["id": "u2", "username": "bob", "roomname": "r"]],
            from: "s4"
        )
        #expect(effects.contains(.cancelGrace(userID: "u2")))
        #expect(self.deliveries(effects) == [#"s1 reconnect {"type":"getOffer","connectorId":"c1"}"#])
        // The old socket's timer firing later must not remove the reconnected user (defect §2.9-2).
        #expect(state.graceExpired(userID: "u2", socketID: "s2").isEmpty)
        #expect(state.isRepeat(username: "bob", roomname: "r"))
    }

    @Test func reconnectAfterTheGraceRejoins() {
        var state = self.joinedState()
        _ = state.disconnected(socketID: "s2")
        _ = state.graceExpired(userID: "u2", socketID: "s2")
        state.connected(socketID: "s4")
        let effects = state.received(
            event: "reconnect",
            arguments: [["id": "u2", "username": "bob", "roomname": "r"]],
            from: "s4"
        )
        #expect(self.deliveries(effects) == [#"s4 reconnect {"type":"leave"}"#, #"s1 getOffer {"memberId":"s4"}"#])
    }

    @Test func reconnectWorkIsRoutedAsTheOriginalDoes() {
        var state = self.joinedState()
        let effects = state.received(
            event: "reconnectWork",
            arguments: [["type": "offer", "data": ["offer": "o"], "connectorId": "c5", "memberId": "s2"]],
            from: "s1"
        )
        #expect(
            self.deliveries(effects) == [
                #"s2 reconnect {"type":"offer","data":{"offer":"o"},"connectorId":"c5","memberId":"s2"}"#
            ]
        )
        #expect(state.received(event: "reconnectWork", arguments: [["type": "offer"]], from: "s1").isEmpty)
    }
}
