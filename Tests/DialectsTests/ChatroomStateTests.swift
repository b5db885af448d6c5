import SocketIOCodec
import Testing

@testable import Dialects

/// Dialect A's flows with exact payloads (docs/dialects.md#chatroom), on the pure state machine.
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
        #expect(third.contains(.sendICEServers(socketID: "s3")))
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
        // Unknown, unjoined or missing targets deliver nothing and get notInRoom (the original crashed on unjoined ones).
        let notInRoom = { (event: String) in
            #"s1 error {"type":"notInRoom","message":"\#(event): memberId is not in your room"}"#
        }
        for (event, payload) in [
            ("offer", ["memberId": "s3", "offer": "x"]), ("offer", ["memberId": "nobody"]), ("answer", .null),
            ("icecandidate", ["memberId": 7]),
        ] as [(String, JSONValue)] {
            #expect(
                self.deliveries(state.received(event: event, arguments: [payload], from: "s1")) == [notInRoom(event)]
            )
        }
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

    /// As the original, whose name check counts the joiner's own entry: a second join with the same id and name
    /// answers repeat and asks nobody for a new offer (which would make every member renegotiate).
    @Test func aSecondJoinWithTheSameIdAndNameIsARepeatAndTellsNobody() {
        var state = self.joinedState()
        let again = self.join(&state, socket: "s2", id: "u2", name: "bob")
        #expect(again == [ChatroomState.error(to: "s2", type: "repeat", message: ChatroomState.repeatMessage)])
        #expect(state.rooms.members(of: "r").map(\.key) == ["u1", "u2"])
    }

    /// As the original, which removed a joined user before failing on the payload: a `leave` that is not an array
    /// still takes the user out of its room (and answers invalid); nobody is told, since no connectors were listed.
    @Test func aLeaveThatIsNotAnArrayStillLeaves() {
        var state = self.joinedState()
        let leave = state.received(event: "leave", arguments: [["not": "an array"]], from: "s2")
        #expect(
            leave == [ChatroomState.error(to: "s2", type: "invalid", message: "leave expects an array")]
        )
        #expect(state.rooms.members(of: "r").map(\.key) == ["u1"])
        #expect(!state.isRepeat(username: "bob", roomname: "r"))
        // The user left: it can join again under its name.
        #expect(
            self.deliveries(self.join(&state, socket: "s2", id: "u2", name: "bob")) == [
                #"s1 getOffer {"memberId":"s2"}"#
            ]
        )
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
        // The old socket's timer firing later must not remove the reconnected user (defect
        // docs/dialects.md#chatroom-stale-grace).
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

    // MARK: - Identity: only members of one room address each other

    /// ann (s1) and bob (s2) in room r; eve (s3) in room x; s4 connected, never joined.
    private func twoRoomsState() -> ChatroomState {
        var state = self.joinedState()
        state.connected(socketID: "s4")
        _ = self.join(&state, socket: "s3", id: "u3", name: "eve", room: "x")
        return state
    }

    /// Every targeted event, with a payload addressed to a given socket.
    private static var targetedEvents: [(event: String, payload: (String) -> JSONValue)] {
        [
            ("offer", { ["connectorId": "e1", "memberId": .string($0), "offer": "o", "streamType": "user"] }),
            ("answer", { ["remoteConnectorId": "c1", "connectorId": "e1", "memberId": .string($0), "answer": "a"] }),
            (
                "icecandidate",
                { ["remoteConnectorId": "c1", "memberId": .string($0), "candidate": ["candidate": "c"]] }
            ),
            ("reconnectWork", { ["type": "offer", "data": "d", "connectorId": "e1", "memberId": .string($0)] }),
        ]
    }

    @Test func anOutsiderInAnotherRoomAddressingAMemberGetsNotInRoomAndNothingIsDelivered() {
        var state = self.twoRoomsState()
        for (event, payload) in Self.targetedEvents {
            let effects = state.received(event: event, arguments: [payload("s2")], from: "s3")
            #expect(
                self.deliveries(effects) == [
                    #"s3 error {"type":"notInRoom","message":"\#(event): memberId is not in your room"}"#
                ]
            )
        }
        // Nor does a member reach the outsider.
        #expect(
            self.deliveries(
                state.received(event: "offer", arguments: [Self.targetedEvents[0].payload("s3")], from: "s1")
            )
                == [#"s1 error {"type":"notInRoom","message":"offer: memberId is not in your room"}"#]
        )
        // The refused offer recorded no connector: bob's later expiry tells ann nothing about eve's e1.
        _ = state.disconnected(socketID: "s2")
        #expect(state.graceExpired(userID: "u2", socketID: "s2").isEmpty)
    }

    @Test func aSocketThatNeverJoinedGetsNotJoinedAndNothingIsDelivered() {
        var state = self.twoRoomsState()
        for (event, payload) in Self.targetedEvents {
            #expect(
                self.deliveries(state.received(event: event, arguments: [payload("s2")], from: "s4")) == [
                    #"s4 error {"type":"notJoined","message":"\#(event): join a room first"}"#
                ]
            )
        }
        // A leave from it changes nothing and tells no one (the page-unload handler sends one anyway).
        #expect(state.received(event: "leave", arguments: [[["memberId": "s2"]]], from: "s4").isEmpty)
    }

    @Test func membersOfOneRoomKeepExchangingWhileOutsidersAreRefused() {
        var state = self.twoRoomsState()
        for (event, payload) in Self.targetedEvents {
            _ = state.received(event: event, arguments: [payload("s1")], from: "s3")
            let delivered = self.deliveries(state.received(event: event, arguments: [payload("s1")], from: "s2"))
            #expect(delivered.count == 1 && delivered[0].hasPrefix("s1 "), "\(event): \(delivered)")
        }
    }

    @Test func aUserThatLeftNoLongerSpeaksOrIsSpokenTo() {
        var state = self.twoRoomsState()
        _ = state.received(event: "leave", arguments: [[["memberId": "s2"]]], from: "s1")
        #expect(
            self.deliveries(state.received(event: "offer", arguments: [["memberId": "s2"]], from: "s1")) == [
                #"s1 error {"type":"notJoined","message":"offer: join a room first"}"#
            ]
        )
        #expect(
            self.deliveries(state.received(event: "icecandidate", arguments: [["memberId": "s1"]], from: "s2")) == [
                #"s2 error {"type":"notInRoom","message":"icecandidate: memberId is not in your room"}"#
            ]
        )
    }

    @Test func leaveNoticesGoOnlyToMembersOfTheLeaversRoom() {
        var state = self.twoRoomsState()
        let leave = state.received(event: "leave", arguments: [[["memberId": "s3"], ["memberId": "s2"]]], from: "s1")
        #expect(self.deliveries(leave) == [#"s2 leave {"memberId":"s1"}"#])
    }

    @Test func aSocketSupersededByAReconnectNeitherSpeaksNorIsSpokenTo() {
        var state = self.twoRoomsState()
        // bob reconnects on s5 before the server has noticed that s2 is gone.
        state.connected(socketID: "s5")
        _ = state.received(
            event: "reconnect",
            arguments: [["id": "u2", "username": "bob", "roomname": "r"]],
            from: "s5"
        )
        #expect(
            self.deliveries(state.received(event: "offer", arguments: [["memberId": "s1"]], from: "s2")) == [
                #"s2 error {"type":"notJoined","message":"offer: join a room first"}"#
            ]
        )
        #expect(
            self.deliveries(state.received(event: "offer", arguments: [["memberId": "s2"]], from: "s1")) == [
                #"s1 error {"type":"notInRoom","message":"offer: memberId is not in your room"}"#
            ]
        )
        // A leave from the stale socket does not take bob out of the room.
        #expect(state.received(event: "leave", arguments: [[["memberId": "s1"]]], from: "s2").isEmpty)
        #expect(state.isRepeat(username: "bob", roomname: "r"))
        #expect(
            self.deliveries(state.received(event: "offer", arguments: [["memberId": "s5", "offer": "o"]], from: "s1"))
                == [
                    #"s5 offer {"offer":"o","memberId":"s1"}"#
                ]
        )
    }

    @Test func aReconnectInsideTheGraceCanAddressAndBeAddressedAgain() {
        var state = self.joinedState()
        _ = state.disconnected(socketID: "s2")
        // In the grace bob has no live socket: ann's candidates to the dead one are refused.
        #expect(
            self.deliveries(state.received(event: "icecandidate", arguments: [["memberId": "s2"]], from: "s1")) == [
                #"s1 error {"type":"notInRoom","message":"icecandidate: memberId is not in your room"}"#
            ]
        )
        state.connected(socketID: "s4")
        _ = state.received(
            event: "reconnect",
            arguments: [["id": "u2", "username": "bob", "roomname": "r"]],
            from: "s4"
        )
        #expect(
            self.deliveries(state.received(event: "offer", arguments: [["memberId": "s1", "offer": "o"]], from: "s4"))
                == [
                    #"s1 offer {"offer":"o","memberId":"s4"}"#
                ]
        )
        #expect(
            self.deliveries(
                state.received(event: "answer", arguments: [["memberId": "s4", "answer": "a"]], from: "s1")
            ) == [
                #"s4 answer {"answer":"a","memberId":"s1"}"#
            ]
        )
    }

    @Test func aSocketJoiningWithAFreshIdReplacesItsUserInsteadOfLeavingOneBehind() {
        var state = self.joinedState()
        _ = state.received(
            event: "offer",
            arguments: [["connectorId": "c1", "memberId": "s2", "offer": "o", "streamType": "user"]],
            from: "s1"
        )
        // bob's socket joins again under new ids: his earlier user leaves (ann hears it), no user piles up.
        let first = self.join(&state, socket: "s2", id: "u2b", name: "bob2")
        #expect(
            self.deliveries(first) == [
                #"s1 leave {"connectorId":"c1","memberId":"s2"}"#, #"s1 getOffer {"memberId":"s2"}"#,
            ]
        )
        for index in 0..<5 {
            _ = self.join(&state, socket: "s2", id: "u2-\(index)", name: "bob-\(index)")
        }
        #expect(state.roomSummary.map { $0.members } == [["ann", "bob-4"]])
    }
}
