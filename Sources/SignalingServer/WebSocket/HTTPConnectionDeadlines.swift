import NIOCore

/// When an HTTP/1.1 connection that is not (yet) a WebSocket must be closed. Pure: the handler passes the time in
/// and arms one timer for ``deadline``.
///
/// - The request head must be complete within the head timeout: of the connection opening for the first request,
///   of its first byte for a later one (what stops a client from trickling header bytes).
/// - Between requests a connection may idle for the idle timeout (keep-alive), then it is closed.
/// - A request body must keep arriving: a gap of the idle timeout closes the connection.
/// - While a response is being produced (a long poll waits up to the ping interval) nothing expires: the server
///   controls that time. A connection upgraded to WebSocket is governed by Engine.IO's ping/pong instead.
struct HTTPConnectionDeadlines: Sendable {
    /// Why a connection expired.
    enum Expiry: String, Sendable, Hashable, CaseIterable {
        /// The request head did not complete in time.
        case headTimeout = "head_timeout"
        /// Idle between requests for too long.
        case idle
        /// The request body stalled.
        case bodyTimeout = "body_timeout"
    }

    let headTimeout: TimeAmount
    let idleTimeout: TimeAmount
    /// Requests whose head arrived and whose response has not ended.
    private(set) var requestsInFlight = 0
    private var readingBody = false
    /// The last time the body of the request being read made progress.
    private var lastBodyRead: NIODeadline
    /// When the connection last fell idle (opened, or a response ended).
    private var idleSince: NIODeadline
    /// When the head being waited for started: the opening for the first request, its first byte for a later one.
    private var headStarted: NIODeadline?
    /// Whether bytes of the awaited head arrived: a head timeout is then answered 408, a silent connection is not.
    private(set) var headBytesArrived = false
    private(set) var isUpgraded = false

    init(openedAt now: NIODeadline, headTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.idleSince = now
        self.lastBodyRead = now
        // The first request's head counts from the connection's opening.
        self.headStarted = now
    }

    /// Bytes arrived (after the parts they completed, if any, were reported).
    mutating func bytesArrived(at now: NIODeadline) {
        if self.requestsInFlight == 0 {
            self.headBytesArrived = true
            if self.headStarted == nil {
                self.headStarted = now
            }
        }
        if self.readingBody {
            self.lastBodyRead = now
        }
    }

    /// A request head was parsed.
    mutating func headReceived(at now: NIODeadline) {
        self.requestsInFlight += 1
        self.readingBody = true
        self.lastBodyRead = now
        self.headStarted = nil
        self.headBytesArrived = false
    }

    /// The request's end was parsed: the response is the server's to produce.
    mutating func requestEnded() {
        self.readingBody = false
    }

    /// A response ended.
    mutating func responseEnded(at now: NIODeadline) {
        self.requestsInFlight = max(0, self.requestsInFlight - 1)
        if self.requestsInFlight == 0 {
            self.readingBody = false
            self.idleSince = now
            self.headStarted = nil
        }
    }

    /// The connection became a WebSocket: nothing here expires any more.
    mutating func upgraded() {
        self.isUpgraded = true
    }

    /// The time the connection expires unless something happens before, and why; nil when nothing expires.
    var deadline: (at: NIODeadline, expiry: Expiry)? {
        if self.isUpgraded {
            return nil
        }
        if self.readingBody {
            return (self.lastBodyRead + self.idleTimeout, .bodyTimeout)
        }
        if self.requestsInFlight > 0 {
            return nil
        }
        if let headStarted = self.headStarted {
            return (headStarted + self.headTimeout, .headTimeout)
        }
        return (self.idleSince + self.idleTimeout, .idle)
    }

    /// What expired by `now`, if anything.
    func expiry(at now: NIODeadline) -> Expiry? {
        guard let deadline = self.deadline, now >= deadline.at else {
            return nil
        }
        return deadline.expiry
    }
}
