import ConnectionLimits
import Synchronization

/// The open Engine.IO sessions of one endpoint, by session id, and their count per client address.
///
/// Requests for one session arrive on any connection and any thread, so the table is shared; a `Mutex` guards it
/// and is held only for the dictionary operation.
///
/// A handshake first takes a place in ``ledger`` (``SharedConnectionLedger/open(from:)``); the session keeps its
/// ``EngineIOSession/clientKey`` and gives the place back when it unregisters.
final class EngineIOSessionRegistry: Sendable {
    private let sessions = Mutex<[String: EngineIOSession]>([:])
    /// The sessions' places under the caps (`signaling.maxSessions`, `signaling.maxSessionsPerAddress`).
    let ledger: SharedConnectionLedger

    init(ledger: SharedConnectionLedger = SharedConnectionLedger(totalLimit: 0, perAddressLimit: 0)) {
        self.ledger = ledger
    }

    /// The session with this id, if it is open.
    func session(id: String) -> EngineIOSession? {
        self.sessions.withLock { $0[id] }
    }

    /// Adds a session.
    func register(_ session: EngineIOSession) {
        self.sessions.withLock { $0[session.id] = session }
    }

    /// Removes a session and gives back its place under the caps; later requests with its id get HTTP 400 code 1.
    func unregister(id: String) {
        if let session = self.sessions.withLock({ $0.removeValue(forKey: id) }) {
            self.ledger.close(session.clientKey)
        }
    }

    /// The number of open sessions.
    var count: Int {
        self.sessions.withLock { $0.count }
    }

    /// Every open session.
    var all: [EngineIOSession] {
        self.sessions.withLock { Array($0.values) }
    }
}
