/// The order in which one Engine.IO session handles what its client sends: the order it arrived at the server
/// (docs/engineio-socketio.md#arrival-order).
///
/// A poll or a POST reaches the session through Hummingbird's task, a WebSocket frame through its channel's loop, and
/// the two hops can overtake each other. So every client event takes a ticket (``EngineIOSession/takeTicket()``) the
/// moment the server reads it (an HTTP request's head, a WebSocket frame) and reaches the session's loop with it
/// later; this type then hands the events over in ticket order. An event whose turn has not come waits for the events
/// of the tickets before it, each of which either arrives or is released (its request never reached the session).
///
/// It is pure: no clock, no loop. The owner calls ``admitAtOnce(_:)`` (the common case: nothing waits, no allocation),
/// else ``enqueue(_:_:)`` and then takes ``nextReady()`` until nil. As a safety net against a ticket that neither
/// arrives nor is released, the owner arms a timer for ``stalledTicket`` and calls ``skip(_:)`` when it fires; a
/// skipped ticket that turns up later is handled at once, out of order, rather than never.
struct EngineIOArrivalOrder<Event> {
    /// A place in the order, from ``EngineIOSession/takeTicket()``: dense, increasing from 0.
    typealias Ticket = UInt64

    private enum Slot {
        case event(Event)
        case released
    }

    /// The oldest ticket not handled yet.
    private(set) var next: Ticket = 0
    /// The tickets from ``next`` on that came (`nil`: not yet).
    private var slots: [Slot?] = []
    /// Events of skipped tickets that arrived after all, handed out before the others.
    private var late: [Event] = []
    /// The number of events waiting (in ``slots`` and ``late``).
    private(set) var waitingCount = 0

    /// Whether an event with `ticket` may be handled at once: its turn has come and nothing waits (then the turn
    /// passes), or its ticket was skipped. Otherwise the owner must ``enqueue(_:_:)`` it.
    mutating func admitAtOnce(_ ticket: Ticket) -> Bool {
        if ticket < self.next {
            return true
        }
        guard ticket == self.next, self.slots.isEmpty else {
            return false
        }
        self.next += 1
        return true
    }

    /// An event arrived out of turn: it waits for the tickets before it. A skipped ticket's event is handed out
    /// first by ``nextReady()``.
    mutating func enqueue(_ ticket: Ticket, _ event: Event) {
        if ticket < self.next {
            self.late.append(event)
            self.waitingCount += 1
            return
        }
        self.fill(ticket, with: .event(event))
        self.waitingCount += 1
    }

    /// The request of `ticket` will not reach the session: its place is given up.
    mutating func release(_ ticket: Ticket) {
        guard ticket >= self.next else {
            return
        }
        self.fill(ticket, with: .released)
    }

    /// The next event to handle, in ticket order, or nil when the next ticket has not come.
    mutating func nextReady() -> Event? {
        if !self.late.isEmpty {
            self.waitingCount -= 1
            return self.late.removeFirst()
        }
        while let first = self.slots.first, let slot = first {
            self.slots.removeFirst()
            self.next += 1
            if case .event(let event) = slot {
                self.waitingCount -= 1
                return event
            }
        }
        return nil
    }

    /// The ticket that has not come while events wait behind it, if any.
    var stalledTicket: Ticket? {
        guard self.waitingCount > 0, let first = self.slots.first, first == nil else {
            return nil
        }
        return self.next
    }

    /// Gives up on `ticket` if it still holds up the order (the safety net); the events behind it then become ready.
    mutating func skip(_ ticket: Ticket) {
        guard self.stalledTicket == ticket else {
            return
        }
        self.slots.removeFirst()
        self.next += 1
    }

    private mutating func fill(_ ticket: Ticket, with slot: Slot) {
        let index = Int(ticket - self.next)
        if index >= self.slots.count {
            self.slots.append(contentsOf: repeatElement(nil, count: index - self.slots.count + 1))
        }
        if self.slots[index] == nil {
            self.slots[index] = slot
        }
    }
}
