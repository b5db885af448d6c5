import Synchronization

/// The open Engine.IO sessions of one endpoint, by session id.
///
/// Requests for one session arrive on any connection and any thread, so the table is shared; a `Mutex` guards it
/// and is held only for the dictionary operation.
final class EngineIOSessionRegistry: Sendable {
    private let sessions = Mutex<[String: EngineIOSession]>([:])

    /// The session with this id, if it is open.
    func session(id: String) -> EngineIOSession? {
        self.sessions.withLock { $0[id] }
    }

    /// Adds a session.
    func register(_ session: EngineIOSession) {
        self.sessions.withLock { $0[session.id] = session }
    }

    /// Removes a session; later requests with its id get HTTP 400 code 1.
    func unregister(id: String) {
        _ = self.sessions.withLock { $0.removeValue(forKey: id) }
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
