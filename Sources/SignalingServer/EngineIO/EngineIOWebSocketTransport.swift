import NIOCore
import SocketIOCodec

/// The outbound side of one WebSocket carrying (or probing) an Engine.IO session, confined to the session's event
/// loop.
///
/// The session appends frames; the connection's writer task takes them in batches with ``next()`` and writes them
/// to the socket, so a socket that does not keep up leaves frames here, where ``queuedFrameCount`` lets the session
/// apply its outbound limit.
final class EngineIOWebSocketTransport: @unchecked Sendable {
    /// What the writer task does next.
    enum Batch: Sendable {
        /// Write these frames, in order.
        case frames([EngineIOWebSocketFrame])
        /// Close the socket (after the frames of earlier batches): the session ends it.
        case close
        /// The socket is gone: stop without writing anything.
        case finished
    }

    let eventLoop: any EventLoop
    // Loop-confined state.
    private var queue: [EngineIOWebSocketFrame] = []
    private var waiter: EventLoopPromise<Batch>?
    private var closeRequested = false
    private(set) var isFinished = false

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Frames queued and not yet taken by the writer.
    var queuedFrameCount: Int {
        self.eventLoop.assertInEventLoop()
        return self.queue.count
    }

    /// Queues frames.
    func enqueue(_ frames: [EngineIOWebSocketFrame]) {
        self.eventLoop.assertInEventLoop()
        guard !self.closeRequested, !self.isFinished else {
            return
        }
        self.queue.append(contentsOf: frames)
        if let waiter = self.waiter {
            self.waiter = nil
            let batch = self.queue
            self.queue.removeAll(keepingCapacity: true)
            waiter.succeed(.frames(batch))
        }
    }

    /// Asks the writer to close the socket once the queued frames are written.
    func close() {
        self.eventLoop.assertInEventLoop()
        guard !self.closeRequested else {
            return
        }
        self.closeRequested = true
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.succeed(.close)
        }
    }

    /// The socket is gone: the writer stops.
    func finish() {
        self.eventLoop.assertInEventLoop()
        self.isFinished = true
        self.queue.removeAll()
        if let waiter = self.waiter {
            self.waiter = nil
            waiter.succeed(.finished)
        }
    }

    /// The next batch for the writer: what is queued, or a future that completes when something is.
    func next() -> EventLoopFuture<Batch> {
        self.eventLoop.assertInEventLoop()
        if !self.queue.isEmpty {
            let batch = self.queue
            self.queue.removeAll(keepingCapacity: true)
            return self.eventLoop.makeSucceededFuture(.frames(batch))
        }
        if self.isFinished {
            return self.eventLoop.makeSucceededFuture(.finished)
        }
        if self.closeRequested {
            return self.eventLoop.makeSucceededFuture(.close)
        }
        let promise = self.eventLoop.makePromise(of: Batch.self)
        self.waiter?.succeed(.finished)
        self.waiter = promise
        return promise.futureResult
    }
}
