import Dialects
import Testing

@testable import Cluster

@Suite struct ClusterOutboxTests {
    private let event = ClusterMessage.event(node: "a", scope: "s", event: .rawClosed(connection: "c"))

    @Test func clientMessagesBeyondTheCapacityAreDroppedAndCountedTheClustersOwnAreNot() {
        var outbox = ClusterOutbox(capacity: 2)
        let accepted = [
            outbox.append(self.event), outbox.append(self.event), outbox.append(self.event),
            outbox.append(.heartbeat(node: "a")), outbox.append(.hello(node: "a")),
        ]
        #expect(accepted == [true, true, false, true, true])
        #expect(outbox.messages.count == 4)
        let dropped = outbox.takeDropped()
        let droppedAgain = outbox.takeDropped()
        #expect(dropped == 1 && droppedAgain == 0)
    }

    @Test func payloadsAreNumberedSoThatEqualMessagesStayApart() {
        var outbox = ClusterOutbox()
        _ = outbox.append(self.event)
        _ = outbox.append(self.event)
        let first = outbox.takePayloads()
        #expect(first.count == 2 && first[0] != first[1])
        #expect(first[0].hasPrefix("1 ") && first[1].hasPrefix("2 "))
        #expect(outbox.messages.isEmpty)
        _ = outbox.append(self.event)
        // Numbering goes on across batches.
        let second = outbox.takePayloads()
        #expect(second.first?.hasPrefix("3 ") == true)
        _ = outbox.append(self.event)
        let kept = outbox.takeMessages()
        #expect(kept == [self.event])
        #expect(outbox.messages.isEmpty)
    }
}
