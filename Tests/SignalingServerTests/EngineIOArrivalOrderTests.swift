import TestSupport
import Testing

@testable import SignalingServer

/// The pure arrival order of a session (docs/engineio-socketio.md#arrival-order): events are handed out in ticket
/// order whatever order they reach it in, a released ticket lets the next go, and the safety net skips a ticket that
/// never comes. No clock: the owner's timer is a call to `skip`.
@Suite struct EngineIOArrivalOrderTests {
    typealias Order = EngineIOArrivalOrder<String>

    /// Handles an event the way the session does: at once when its turn came and nothing waits, else queued, then
    /// everything ready. Returns what was handled.
    static func arrive(_ ticket: UInt64, _ event: String, _ order: inout Order) -> [String] {
        if order.admitAtOnce(ticket) {
            return [event]
        }
        order.enqueue(ticket, event)
        return Self.ready(&order)
    }

    static func ready(_ order: inout Order) -> [String] {
        var handled: [String] = []
        while let event = order.nextReady() {
            handled.append(event)
        }
        return handled
    }

    @Test func eventsInTurnAreAdmittedAtOnce() {
        var order = Order()
        let admitted0 = order.admitAtOnce(0)
        #expect(admitted0)
        let admitted1 = order.admitAtOnce(1)
        #expect(admitted1)
        #expect(order.next == 2)
        #expect(order.stalledTicket == nil)
        #expect(order.waitingCount == 0)
    }

    /// The official race: a POST's head was read after a poll's, but its task reached the session first.
    @Test func aLaterEventWaitsForTheEarlierTicket() {
        var order = Order()
        #expect(Self.arrive(1, "post", &order).isEmpty)
        #expect(order.stalledTicket == 0)
        #expect(order.waitingCount == 1)
        #expect(Self.arrive(0, "poll", &order) == ["poll", "post"])
        #expect(order.stalledTicket == nil)
        #expect(order.waitingCount == 0)
        let admitted2 = order.admitAtOnce(2)
        #expect(admitted2)
    }

    @Test func aReleasedTicketLetsTheNextOneGo() {
        var order = Order()
        #expect(Self.arrive(1, "frame", &order).isEmpty)
        order.release(0)
        #expect(Self.ready(&order) == ["frame"])
        #expect(order.next == 2)
    }

    @Test func aTicketReleasedAheadOfTimeIsPassedOver() {
        var order = Order()
        order.release(1)
        #expect(Self.arrive(2, "c", &order).isEmpty)
        #expect(order.stalledTicket == 0)
        #expect(Self.arrive(0, "a", &order) == ["a", "c"])
        let admitted3 = order.admitAtOnce(3)
        #expect(admitted3)
    }

    /// The safety net: a ticket that never comes is skipped, and if it turns up after all it is handled at once
    /// rather than never.
    @Test func aSkippedTicketUnblocksTheOthersAndIsHandledAtOnceIfItComes() {
        var order = Order()
        #expect(Self.arrive(1, "b", &order).isEmpty)
        #expect(Self.arrive(2, "c", &order).isEmpty)
        order.skip(0)
        #expect(Self.ready(&order) == ["b", "c"])
        let admitted0 = order.admitAtOnce(0)
        #expect(admitted0)
        order.release(0)
        #expect(order.stalledTicket == nil)
        let admitted3 = order.admitAtOnce(3)
        #expect(admitted3)
    }

    @Test func skippingATicketThatHoldsNothingUpDoesNothing() {
        var order = Order()
        order.skip(0)
        #expect(order.next == 0)
        #expect(Self.arrive(2, "c", &order).isEmpty)
        order.skip(1)
        #expect(order.stalledTicket == 0)
        #expect(Self.ready(&order).isEmpty)
    }

    /// An event enqueued while the owner is handling one (it never asks `admitAtOnce` then) waits for its turn like
    /// any other; one whose ticket was skipped comes first.
    @Test func eventsEnqueuedWhileHandlingKeepTheirTurn() {
        var order = Order()
        #expect(Self.arrive(1, "b", &order).isEmpty)
        order.skip(0)
        order.enqueue(3, "d")
        order.enqueue(0, "late")
        order.enqueue(2, "c")
        #expect(Self.ready(&order) == ["late", "b", "c", "d"])
        #expect(order.waitingCount == 0)
    }

    /// Whatever order the tickets come or are released in, the events are handled in ticket order, each once.
    @Test(arguments: 1...20)
    func anyArrivalOrderIsHandledInTicketOrder(seed: UInt64) {
        var generator = SplitMix64(seed: seed)
        let count = 40
        let released = Set((0..<count).filter { _ in generator.next() % 4 == 0 })
        var order = Order()
        var handled: [String] = []
        for ticket in (0..<count).shuffled(using: &generator) {
            if released.contains(ticket) {
                order.release(UInt64(ticket))
                handled += Self.ready(&order)
            } else {
                handled += Self.arrive(UInt64(ticket), "\(ticket)", &order)
            }
        }
        #expect(handled == (0..<count).filter { !released.contains($0) }.map { "\($0)" })
        #expect(order.waitingCount == 0)
        #expect(order.stalledTicket == nil)
    }
}
