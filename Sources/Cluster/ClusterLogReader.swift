import NIOCore

/// Reads the cluster's log where postgres-nio hands it over, on the listener connection's event loop, so that a
/// notification reaches the clients of that loop without a hop through another thread. A notification that refers
/// to a stored payload (`SEQUENCE @ID`) is fetched on the query connection, and the notifications after it wait for
/// it: the log is applied in order.
///
/// Confined to `eventLoop`: every method runs on it (hence `@unchecked Sendable`).
final class ClusterLogReader: @unchecked Sendable {
    /// Notifications that may wait behind one fetch; one more ends the session (the node starts over) rather than
    /// grow without bound.
    static let maxWaiting = 65_536

    private let log: PostgresEventLog
    private let eventLoop: any EventLoop
    private let fetch: @Sendable (Int64) async throws -> String?
    private let end: AsyncStream<any Error>.Continuation
    private var fetching = false
    private var ended = false
    private var waiting = CircularBuffer<String>()

    /// `fetch` reads a stored payload; `end` receives the error that ends the session.
    init(
        log: PostgresEventLog,
        eventLoop: any EventLoop,
        end: AsyncStream<any Error>.Continuation,
        fetch: @escaping @Sendable (Int64) async throws -> String?
    ) {
        self.log = log
        self.eventLoop = eventLoop
        self.end = end
        self.fetch = fetch
    }

    /// One notification's payload, in the order PostgreSQL sent them.
    func received(_ payload: String) {
        self.eventLoop.assertInEventLoop()
        guard !self.ended else {
            return
        }
        guard !self.fetching else {
            guard self.waiting.count < Self.maxWaiting else {
                self.finish(ClusterError.logBehind)
                return
            }
            self.waiting.append(payload)
            return
        }
        self.read(payload)
    }

    private func read(_ payload: String) {
        do {
            if case .stored(let id) = try self.log.read(payload) {
                self.startFetching(id)
            }
        } catch {
            self.finish(error)
        }
    }

    private func startFetching(_ id: Int64) {
        self.fetching = true
        let fetch = self.fetch
        Task {
            do {
                let body = try await fetch(id)
                self.eventLoop.execute { self.fetched(body, id: id) }
            } catch {
                self.eventLoop.execute { self.finish(error) }
            }
        }
    }

    private func fetched(_ body: String?, id: Int64) {
        guard !self.ended else {
            return
        }
        do {
            try self.log.applyStored(body, id: id)
        } catch {
            self.finish(error)
            return
        }
        self.fetching = false
        while !self.fetching, !self.ended, let next = self.waiting.popFirst() {
            self.read(next)
        }
    }

    private func finish(_ error: any Error) {
        self.ended = true
        self.waiting.removeAll()
        self.end.yield(error)
    }
}
