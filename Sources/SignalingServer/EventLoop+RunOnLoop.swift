import NIOCore

extension EventLoop {
    /// Runs `body` on this loop: at once when called on it, queued behind the loop's other work otherwise. The entry
    /// point of every method of a loop-confined object (session, socket, WebSocket connection) that may be called
    /// from anywhere.
    func runOnLoop(_ body: @escaping @Sendable () -> Void) {
        if self.inEventLoop {
            body()
        } else {
            self.execute(body)
        }
    }
}
