import Synchronization

/// The places of one HTTP/1.1 connection's requests on their way from the pipeline, where each head is read, to the
/// responder, which answers the requests one after the other in the same order
/// (docs/engineio-socketio.md#arrival-order).
///
/// ``HTTPRequestArrivalHandler`` pushes one entry per request head, on the connection's loop; the responder of
/// ``HTTP1WebSocketEndpointsChannel`` pops one per request it answers, in its task. Places still queued when the
/// connection goes are given back.
final class HTTPRequestArrivalQueue: Sendable {
    /// What the pipeline left for one request.
    enum Entry: Sendable {
        /// The place taken when the head was read (nil: the request's endpoint orders nothing).
        case taken((any HTTPRequestArrival.Reservation)?)
        /// The head came while an earlier request of the connection was unanswered (HTTP pipelining): the server
        /// gets to this request only once that one is answered, so the responder takes its place then. Taken at
        /// read time, the place would hold up the session behind a request that may wait for the session itself (a
        /// long poll).
        case deferred
    }

    private let entries = Mutex<[Entry]>([])

    func push(_ entry: Entry) {
        self.entries.withLock { $0.append(entry) }
    }

    /// The entry of the oldest request not answered yet, if the pipeline left one.
    func pop() -> Entry? {
        self.entries.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Gives back every place still queued: their requests will not be answered (the connection is gone).
    func releaseAll() {
        let entries = self.entries.withLock { entries in
            let all = entries
            entries = []
            return all
        }
        for case .taken(let reservation?) in entries {
            reservation.release()
        }
    }
}
