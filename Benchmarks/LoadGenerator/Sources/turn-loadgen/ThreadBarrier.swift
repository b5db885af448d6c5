import Glibc

/// A POSIX barrier: the flood threads and the main thread meet there once every allocation is ready, so that the
/// load periods of all threads start together.
final class ThreadBarrier: @unchecked Sendable {
    private let barrier: UnsafeMutablePointer<pthread_barrier_t>

    /// A barrier for `count` threads.
    init(count: Int) {
        self.barrier = .allocate(capacity: 1)
        let status = pthread_barrier_init(self.barrier, nil, UInt32(count))
        precondition(status == 0, "pthread_barrier_init failed: \(status)")
    }

    deinit {
        pthread_barrier_destroy(self.barrier)
        self.barrier.deallocate()
    }

    /// Blocks until `count` threads have called it.
    func wait() {
        _ = pthread_barrier_wait(self.barrier)
    }
}
