import NIOCore

/// When a STUN/TCP connection must be closed. Pure: the handler passes the time in and arms one timer for
/// ``deadline``.
///
/// "Idle" means no complete frame, not no byte: a client that trickles a byte now and then never finishes a
/// frame, so it meets the framing timeout (a frame that started must be complete within it) long before the idle
/// timeout, which counts from the last complete frame (RFC 8489 §6.2.2 leaves the policy to the server; a TURN
/// connection with an allocation is excused from idling by the stream handler, never from framing).
struct STUNStreamDeadlines: Sendable {
    /// Why a connection expired.
    enum Expiry: Sendable, Hashable {
        /// A frame started and did not complete in time.
        case framing
        /// No complete frame for the idle timeout.
        case idle
    }

    let idleTimeout: TimeAmount
    let framingTimeout: TimeAmount
    /// The opening, the last complete frame, or the last time idling was excused.
    private var lastActivity: NIODeadline
    /// When the incomplete frame at the head of the stream started, if there is one.
    private var partialFrameSince: NIODeadline?

    init(openedAt now: NIODeadline, idleTimeout: TimeAmount, framingTimeout: TimeAmount) {
        self.idleTimeout = idleTimeout
        self.framingTimeout = framingTimeout
        self.lastActivity = now
    }

    /// The first bytes of a frame arrived, not the whole frame.
    mutating func frameStarted(at now: NIODeadline) {
        if self.partialFrameSince == nil {
            self.partialFrameSince = now
        }
    }

    /// A whole frame arrived.
    mutating func frameCompleted(at now: NIODeadline) {
        self.lastActivity = now
        self.partialFrameSince = nil
    }

    /// The connection idled out but may stay (it holds an allocation): the idle clock starts again.
    mutating func idleExcused(at now: NIODeadline) {
        self.lastActivity = now
    }

    /// The time the connection expires unless a frame completes before, and why.
    var deadline: (at: NIODeadline, expiry: Expiry) {
        let idle = self.lastActivity + self.idleTimeout
        if let partialFrameSince = self.partialFrameSince, partialFrameSince + self.framingTimeout < idle {
            return (partialFrameSince + self.framingTimeout, .framing)
        }
        return (idle, .idle)
    }

    /// What expired by `now`, if anything.
    func expiry(at now: NIODeadline) -> Expiry? {
        let deadline = self.deadline
        return now >= deadline.at ? deadline.expiry : nil
    }
}
