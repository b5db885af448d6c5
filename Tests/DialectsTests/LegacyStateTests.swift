import NIOCore
import SocketIOCodec
import Testing

@testable import Dialects

/// Dialects B and D on their pure state machines (docs/dialects.md#webrtcroom, #socketim).
@Suite struct LegacyStateTests {
    private func lines(_ deliveries: [SignalingDelivery]) -> [String] {
        deliveries.map { "\($0.to) \($0.event) \($0.arguments.map { $0.serialized() }.joined(separator: ","))" }
    }

    @Test func webRtcRoomCreatedJoinedAndVerbatimForwarding() {
        var state = WebRtcRoomState()
        for socket in ["a", "b", "c"] {
            state.connected(socketID: socket)
        }
        let first = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "a")
        #expect(self.lines(first.deliveries) == [#"a created {"id":"a","room":"r1","peers":[]}"#])
        #expect(first.sendICEServers)
        let second = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "b")
        #expect(
            self.lines(second.deliveries)
                == [#"a joined {"id":"b","room":"r1"}"#, #"b created {"id":"b","room":"r1","peers":[{"id":"a"}]}"#]
        )
        let offer: JSONValue = ["from": "b", "to": "a", "room": "r1", "sdp": "v=0"]
        #expect(
            self.lines(state.received(event: "offer", arguments: [offer], from: "b").deliveries) == [
                #"a offer {"from":"b","to":"a","room":"r1","sdp":"v=0"}"#
            ]
        )
        // Unknown targets are dropped.
        #expect(state.received(event: "answer", arguments: [["from": "b", "to": "nobody"]], from: "b").dropped)
        #expect(state.received(event: "createAndJoinRoom", arguments: ["r1"], from: "c").dropped)
    }

    @Test func webRtcRoomExitAndDisconnect() {
        var state = WebRtcRoomState()
        for socket in ["a", "b", "c"] {
            state.connected(socketID: socket)
        }
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "a")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "b")
        let exit = state.received(event: "exit", arguments: [["from": "b", "room": "r"]], from: "b")
        #expect(self.lines(exit.deliveries) == [#"a exit {"from":"b","room":"r"}"#])
        #expect(
            self.lines(state.disconnected(socketID: "a")) == [
                #"b exit {"from":"a","room":""}"#, #"c exit {"from":"a","room":""}"#,
            ]
        )
        // A room named like a socket id is just a room (no socket.io self-room collision).
        let created = state.received(event: "createAndJoinRoom", arguments: [["room": "c"]], from: "b")
        #expect(self.lines(created.deliveries) == [#"b created {"id":"b","room":"c","peers":[]}"#])
    }

    @Test func webRtcRoomSignalsOnlyWithinARoomAndOnlyAsTheSender() {
        var state = WebRtcRoomState()
        for socket in ["a", "b", "c", "d"] {
            state.connected(socketID: socket)
        }
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "a")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "b")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r2"]], from: "c")
        // The original relayed to any connected socket: c (room r2) and d (no room) reach no one in r1.
        for (event, sender) in [("offer", "c"), ("answer", "c"), ("candidate", "d")] {
            let outsider = state.received(
                event: event,
                arguments: [["from": .string(sender), "to": "a"]],
                from: sender
            )
            #expect(outsider == WebRtcRoomState.Outcome(dropped: true))
        }
        #expect(state.received(event: "offer", arguments: [["from": "a", "to": "c"]], from: "a").dropped)
        // Nobody speaks as another socket: b cannot send as a, nor without a from.
        #expect(state.received(event: "offer", arguments: [["from": "a", "to": "a"]], from: "b").dropped)
        #expect(state.received(event: "offer", arguments: [["to": "a"]], from: "b").dropped)
        // The pair in r1 is undisturbed.
        #expect(
            self.lines(state.received(event: "offer", arguments: [["from": "b", "to": "a"]], from: "b").deliveries)
                == [#"a offer {"from":"b","to":"a"}"#]
        )
        // A spoofed exit leaves the sender's room but tells nobody that a left; an exit for another room is dropped.
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r1"]], from: "c")
        #expect(state.received(event: "exit", arguments: [["from": "a", "room": "r1"]], from: "c").dropped)
        #expect(state.rooms.members(of: "r1").map(\.key) == ["a", "b"])
        #expect(state.received(event: "exit", arguments: [["from": "d", "room": "r1"]], from: "d").dropped)
        #expect(
            self.lines(state.received(event: "exit", arguments: [["from": "b", "room": "r1"]], from: "b").deliveries)
                == [#"a exit {"from":"b","room":"r1"}"#]
        )
    }

    @Test func socketIMRelaysStringsToOthersAndWavToEveryone() {
        var state = SocketIMState()
        #expect(self.lines(state.connected(socketID: "a")) == [#"a message "连接成功，欢迎用户""#])
        _ = state.connected(socketID: "b")
        _ = state.connected(socketID: "c")
        let offer = #"{"data":{"sdp":{"type":"offer","sdp":"v=0\r\n"}}}"#
        let relayed = state.received(event: "offer", arguments: [.string(offer)], from: "a") ?? []
        #expect(relayed.map(\.to) == ["b", "c"])
        #expect(relayed.allSatisfy { $0.arguments == [.string(offer)] && $0.event == "offer" })
        let wav = state.received(event: "wav", arguments: [.binary(.init(bytes: [1, 2, 3]))], from: "b") ?? []
        #expect(wav.map(\.to) == ["a", "b", "c"] && wav.allSatisfy { $0.event == "wavMsg" })
        state.disconnected(socketID: "c")
        #expect(state.received(event: "_ice_candidate", arguments: ["x"], from: "a")?.map(\.to) == ["b"])
        #expect(state.received(event: "chat message", arguments: ["x"], from: "a") == nil)
    }

    /// The original re-emits only the first argument of each relayed event.
    @Test func socketIMRelaysOnlyTheFirstArgument() {
        var state = SocketIMState()
        _ = state.connected(socketID: "a")
        _ = state.connected(socketID: "b")
        let offer = state.received(event: "offer", arguments: ["sdp", "extra", 3], from: "a") ?? []
        #expect(offer.map(\.arguments) == [["sdp"]])
        let wav = state.received(event: "wav", arguments: [.binary(.init(bytes: [1])), "extra"], from: "a") ?? []
        #expect(wav.map(\.arguments) == [[.binary(.init(bytes: [1]))], [.binary(.init(bytes: [1]))]])
        #expect(state.received(event: "answer", arguments: [], from: "b")?.map(\.arguments) == [[.null]])
    }

    /// A re-join by a member is answered without itself among the peers and tells only the others (the original
    /// listed the socket itself and sent it `joined` about itself, a loopback call its clients cannot make).
    @Test func webRtcRoomRejoinLeavesTheSocketItselfOut() {
        var state = WebRtcRoomState()
        state.connected(socketID: "a")
        state.connected(socketID: "b")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "a")
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "b")
        let again = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "b")
        #expect(
            self.lines(again.deliveries) == [
                #"a joined {"id":"b","room":"r"}"#, #"b created {"id":"b","room":"r","peers":[{"id":"a"}]}"#,
            ]
        )
        #expect(state.rooms.members(of: "r").map(\.key) == ["a", "b"])
    }

    /// Under `dialects.selection: auto`, an undecided socket (a D callee waiting for its offer) hears nothing of B:
    /// an undecided socket's disconnect tells nobody, and a B socket's `exit` goes to B sockets only.
    @Test func undecidedSocketsHearNothingOfB() {
        var state = LegacyDialectsState()
        #expect(self.lines(state.connected(socketID: "callee")).count == 1)  // D's welcome
        _ = state.connected(socketID: "gone")
        _ = state.connected(socketID: "b1")
        _ = state.connected(socketID: "b2")
        #expect(state.disconnected(socketID: "gone").isEmpty)
        _ = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "b1")
        let (outcome, decided) = state.received(event: "createAndJoinRoom", arguments: [["room": "r"]], from: "b2")
        #expect(decided == .webRtcRoom)
        guard case .webRtcRoom(let joined) = outcome else {
            Issue.record("createAndJoinRoom is B's")
            return
        }
        #expect(self.lines(joined.deliveries).first == #"b1 joined {"id":"b2","room":"r"}"#)
        #expect(self.lines(state.disconnected(socketID: "b1")) == [#"b2 exit {"from":"b1","room":""}"#])
        // D's relays reach the undecided callee and D sockets, never a B socket.
        _ = state.connected(socketID: "caller")
        let (relay, _) = state.received(event: "offer", arguments: ["sdp"], from: "caller")
        #expect(relay == .socketIM([SignalingDelivery(to: "callee", event: "offer", "sdp")]))
        #expect(self.lines(state.disconnected(socketID: "caller")).isEmpty)
        #expect(self.lines(state.disconnected(socketID: "b2")).isEmpty)
    }
}
