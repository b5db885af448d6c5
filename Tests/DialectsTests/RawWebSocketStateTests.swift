import SocketIOCodec
import Testing

@testable import Dialects

/// Dialect C (docs/dialects.md#rawws) on its pure state machine.
@Suite struct RawWebSocketStateTests {
    private func lines(_ deliveries: [SignalingDelivery]) -> [String] {
        deliveries.map { "\($0.to) \($0.arguments.map { $0.serialized() }.joined())" }
    }

    @Test func joinOfferAnswerCandidateAndLeave() {
        var state = RawWebSocketState()
        #expect(state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c1").sendICEServers)
        _ = state.received(text: #"{"type":"join","id":"bob","nick":"Bob"}"#, from: "c2")
        _ = state.received(text: #"{"type":"join","id":"carol","nick":"Carol"}"#, from: "c3")
        let offer = state.received(text: #"{"type":"offer","sdp":{"type":"offer","sdp":"v=0"}}"#, from: "c1")
        #expect(
            self.lines(offer.deliveries) == [
                #"c2 {"type":"offer","sdp":{"type":"offer","sdp":"v=0"},"id":"alice","nick":"Alice"}"#,
                #"c3 {"type":"offer","sdp":{"type":"offer","sdp":"v=0"},"id":"alice","nick":"Alice"}"#,
            ]
        )
        let answer = state.received(text: #"{"type":"answer","receiverId":"alice","sdp":"x"}"#, from: "c2")
        #expect(
            self.lines(answer.deliveries) == [
                #"c1 {"type":"answer","receiverId":"alice","sdp":"x","id":"bob","nick":"Bob"}"#
            ]
        )
        let candidate = state.received(text: #"{"type":"icecandidate","receiverId":"bob","candidate":{}}"#, from: "c1")
        #expect(candidate.deliveries.map(\.to) == ["c2"])
        #expect(
            self.lines(state.closed(connection: "c3")) == [
                #"c1 {"type":"leave","payload":{"id":"carol","nick":"Carol"}}"#,
                #"c2 {"type":"leave","payload":{"id":"carol","nick":"Carol"}}"#,
            ]
        )
        #expect(
            self.lines(state.received(text: #"{"type":"leave"}"#, from: "c2").deliveries) == [
                #"c1 {"type":"leave","payload":{"id":"bob","nick":"Bob"}}"#
            ]
        )
    }

    @Test func badFramesAreDropped() {
        var state = RawWebSocketState()
        for text in [
            "", "not json", "[1,2]", #"{"no":"type"}"#, #"{"type":"offer"}"#, #"{"type":"join"}"#, #"{"type":"dance"}"#,
        ] {
            #expect(state.received(text: text, from: "c1").dropped)
        }
        _ = state.received(text: #"{"type":"join","id":"a"}"#, from: "c1")
        #expect(state.received(text: #"{"type":"answer","receiverId":"nobody"}"#, from: "c1").dropped)
        #expect(state.closed(connection: "never-joined").isEmpty)
    }

    @Test func aJoinWithAHeldIdTakesItOverAndTheOldConnectionLeavesSilently() {
        var state = RawWebSocketState()
        _ = state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c1")
        _ = state.received(text: #"{"type":"join","id":"bob","nick":"Bob"}"#, from: "c2")
        let takeover = state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c3")
        #expect(takeover == RawWebSocketState.Outcome(sendICEServers: true, close: ["c1"]))
        // Messages for alice reach the new connection only, and bob's offer goes to one alice.
        let answer = state.received(text: #"{"type":"answer","receiverId":"alice","sdp":"x"}"#, from: "c2")
        #expect(answer.deliveries.map(\.to) == ["c3"])
        #expect(state.received(text: #"{"type":"offer","sdp":"o"}"#, from: "c2").deliveries.map(\.to) == ["c3"])
        // The old connection is closing: whatever it still sends is ignored, a join included.
        for text in [
            #"{"type":"offer","sdp":"o"}"#, #"{"type":"join","id":"alice"}"#, #"{"type":"leave"}"#,
            #"{"type":"icecandidate","receiverId":"bob"}"#,
        ] {
            #expect(state.received(text: text, from: "c1") == RawWebSocketState.Outcome(dropped: true))
        }
        // Its close tells no one that alice left: she has not.
        #expect(state.closed(connection: "c1").isEmpty)
        #expect(
            self.lines(
                state.received(text: #"{"type":"answer","receiverId":"alice","sdp":"y"}"#, from: "c2").deliveries
            )
                == [#"c3 {"type":"answer","receiverId":"alice","sdp":"y","id":"bob","nick":"Bob"}"#]
        )
        #expect(
            self.lines(state.closed(connection: "c3")) == [
                #"c2 {"type":"leave","payload":{"id":"alice","nick":"Alice"}}"#
            ]
        )
        #expect(state.received(text: #"{"type":"answer","receiverId":"alice"}"#, from: "c2").dropped)
    }

    @Test func rejoiningUnderTheSameIdKeepsTheConnectionAndANewIdLeavesTheOldOne() {
        var state = RawWebSocketState()
        _ = state.received(text: #"{"type":"join","id":"alice","nick":"Alice"}"#, from: "c1")
        _ = state.received(text: #"{"type":"join","id":"bob","nick":"Bob"}"#, from: "c2")
        #expect(state.received(text: #"{"type":"join","id":"bob","nick":"B"}"#, from: "c2").close.isEmpty)
        let renamed = state.received(text: #"{"type":"join","id":"carol","nick":"Carol"}"#, from: "c2")
        #expect(renamed.close.isEmpty)
        #expect(self.lines(renamed.deliveries) == [#"c1 {"type":"leave","payload":{"id":"bob","nick":"B"}}"#])
        #expect(state.received(text: #"{"type":"answer","receiverId":"bob"}"#, from: "c1").dropped)
        #expect(
            state.received(text: #"{"type":"answer","receiverId":"carol"}"#, from: "c1").deliveries.map(\.to) == ["c2"]
        )
    }
}
