import Synchronization

/// The place a poll or a POST holds in its session's arrival order from the moment its head was read
/// (docs/engineio-socketio.md#arrival-order), until the route hands the request to the session with it (``use(for:)``)
/// or it is given back (``release()``), whichever comes first.
final class EngineIOArrivalReservation: HTTPRequestArrival.Reservation {
    let session: EngineIOSession
    let ticket: UInt64
    /// Whether the place was used or given back.
    private let settled = Atomic<Bool>(false)

    init(session: EngineIOSession, ticket: UInt64) {
        self.session = session
        self.ticket = ticket
    }

    /// The ticket of the request being answered in `session`'s order (see ``HTTPRequestArrival/current``), or nil
    /// when it took none, or gave it back already (the session then handles the request at once).
    static func ticket(for session: EngineIOSession) -> UInt64? {
        (HTTPRequestArrival.current as? EngineIOArrivalReservation)?.use(for: session)
    }

    /// Uses the place for a request to `session`: its ticket, or nil if it is another session's place or was used or
    /// given back already.
    func use(for session: EngineIOSession) -> UInt64? {
        guard session === self.session, !self.settled.exchange(true, ordering: .acquiringAndReleasing) else {
            return nil
        }
        return self.ticket
    }

    func release() {
        if !self.settled.exchange(true, ordering: .acquiringAndReleasing) {
            self.session.releaseArrival(self.ticket)
        }
    }
}
