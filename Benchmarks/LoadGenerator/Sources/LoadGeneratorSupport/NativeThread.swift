import Glibc

/// A joinable POSIX thread. The load generator wants one kernel thread per socket, whatever the core count.
package struct NativeThread {
    /// The closure a new thread runs, boxed to cross `pthread_create`.
    private final class Body {
        let run: @Sendable () -> Void

        init(_ run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }

    private let handle: pthread_t

    /// Starts a thread running `body`.
    package init(_ body: @escaping @Sendable () -> Void) {
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        var handle = pthread_t()
        let status = pthread_create(
            &handle,
            nil,
            { context in
                Unmanaged<Body>.fromOpaque(context!).takeRetainedValue().run()
                return nil
            },
            context
        )
        precondition(status == 0, "pthread_create failed: \(status)")
        self.handle = handle
    }

    /// Waits for the thread to finish.
    package func join() {
        let status = pthread_join(self.handle, nil)
        precondition(status == 0, "pthread_join failed: \(status)")
    }
}
