import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// What the listener does after each `sendmmsg` of its queued responses, without a socket: a short count means the
/// next response was refused, and the next call from it tells why.
@Suite struct ResponseQueueTests {
    private func queue(_ count: Int) -> ResponseQueue {
        var queue = ResponseQueue()
        for index in 0..<count {
            queue.append(
                ByteBuffer(bytes: [UInt8(index)]),
                to: TransportAddress(ip: .v4(0x7F00_0001), port: UInt16(40000 + index))
            )
        }
        return queue
    }

    @Test func keepsTheResponsesInOrderWithTheirDestinations() {
        let queue = self.queue(3)
        #expect(queue.responses.map { Array($0.readableBytesView) } == [[0], [1], [2]])
        #expect(queue.destinations.map(\.port) == [40000, 40001, 40002])
        #expect(queue.unsent == 0..<3)
    }

    @Test func aCallThatSendsEverythingIsDone() {
        var queue = self.queue(3)
        #expect(queue.record(sendResult: 3, error: 0) == .done)
        #expect(queue.sent == 3)
        #expect(queue.dropped == 0)
        #expect(queue.unsent.isEmpty)
    }

    /// More responses than one call takes: each call goes on from the first unsent one.
    @Test func callsGoOnFromTheFirstUnsentResponse() {
        var queue = self.queue(100)
        #expect(queue.record(sendResult: 64, error: 0) == .send)
        #expect(queue.next == 64)
        #expect(queue.record(sendResult: 36, error: 0) == .done)
        #expect(queue.sent == 100)
    }

    /// A short count, then the refused response's own error on the next call: that one is dropped, the rest go.
    @Test func aPartialSendGoesOnAfterTheRefusedResponse() {
        var queue = self.queue(5)
        #expect(queue.record(sendResult: 2, error: 0) == .send)
        #expect(queue.next == 2)
        #expect(queue.record(sendResult: -1, error: ENETUNREACH) == .send)
        #expect(queue.next == 3)
        #expect(queue.dropped == 1)
        #expect(queue.record(sendResult: 2, error: 0) == .done)
        #expect(queue.sent == 4)
        #expect(queue.dropped == 1)
    }

    @Test(arguments: [EMSGSIZE, ENETUNREACH, EHOSTUNREACH, EACCES, EPERM, ENOBUFS, EAFNOSUPPORT, EINVAL])
    func aResponseRefusedForItselfIsDroppedAlone(error: CInt) {
        var queue = self.queue(2)
        #expect(queue.record(sendResult: -1, error: error) == .send)
        #expect(queue.dropped == 1)
        #expect(queue.unsent == 1..<2)
        #expect(queue.record(sendResult: -1, error: error) == .done)
        #expect(queue.dropped == 2)
        #expect(queue.sent == 0)
    }

    /// A full send buffer: the rest wait, none is dropped.
    @Test func aFullSendBufferBlocksTheRest() {
        var queue = self.queue(5)
        #expect(queue.record(sendResult: 2, error: 0) == .send)
        #expect(queue.record(sendResult: -1, error: EAGAIN) == .blocked)
        #expect(queue.unsent == 2..<5)
        #expect(queue.sent == 2)
        #expect(queue.dropped == 0)
    }

    @Test func anInterruptedCallIsMadeAgain() {
        var queue = self.queue(2)
        #expect(queue.record(sendResult: -1, error: EINTR) == .send)
        #expect(queue.unsent == 0..<2)
        #expect(queue.dropped == 0)
    }

    /// `sendmmsg` never returns 0 for messages it was given; if it did, the queue must not call it forever.
    @Test func aCallThatSendsNothingDoesNotSpin() {
        var queue = self.queue(2)
        #expect(queue.record(sendResult: 0, error: 0) == .blocked)
        #expect(queue.unsent == 0..<2)
    }

    @Test func removeAllStartsTheNextBatch() {
        var queue = self.queue(3)
        _ = queue.record(sendResult: 1, error: 0)
        _ = queue.record(sendResult: -1, error: EMSGSIZE)
        queue.removeAll()
        #expect(queue.isEmpty)
        #expect(queue.next == 0)
        #expect(queue.sent == 0)
        #expect(queue.dropped == 0)
        #expect(queue.unsent.isEmpty)
    }
}
