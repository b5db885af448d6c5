import Synchronization

/// The test waited too long for something.
struct TestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(self.what)" }
}

/// A single-consumer queue between a producer task and a test, with a timeout on every wait (a safety net, never an
/// assertion about timing).
final class Mailbox<Element: Sendable>: Sendable {
    private struct State {
        var items: [Element] = []
        var finished = false
        var waiter: (token: Int, continuation: CheckedContinuation<Result<Element?, TestTimeout>, Never>)?
        var nextToken = 0
    }

    private let state = Mutex(State())

    func put(_ item: Element) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Result<Element?, TestTimeout>, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter.continuation
            }
            state.items.append(item)
            return nil
        }
        waiter?.resume(returning: .success(item))
    }

    func finish() {
        let waiter = self.state.withLock { state -> CheckedContinuation<Result<Element?, TestTimeout>, Never>? in
            state.finished = true
            let waiter = state.waiter
            state.waiter = nil
            return waiter?.continuation
        }
        waiter?.resume(returning: .success(nil))
    }

    /// The next item; `nil` once finished and drained.
    func next(timeout: Duration = .seconds(10), what: String = "an event") async throws -> Element? {
        let result = await withTaskCancellationHandler {
            await self.wait(timeout: timeout, what: what)
        } onCancel: {
            // A test's time limit cancels it: give up the wait rather than hold the test.
            self.expireWaiter(TestTimeout(what: "\(what) (cancelled)"))
        }
        return try result.get()
    }

    private func expireWaiter(_ error: TestTimeout) {
        let waiter = self.state.withLock { state -> CheckedContinuation<Result<Element?, TestTimeout>, Never>? in
            let waiter = state.waiter
            state.waiter = nil
            return waiter?.continuation
        }
        waiter?.resume(returning: .failure(error))
    }

    private func wait(timeout: Duration, what: String) async -> Result<Element?, TestTimeout> {
        await withCheckedContinuation { (continuation: CheckedContinuation<Result<Element?, TestTimeout>, Never>) in
            let token: Int? = self.state.withLock { state in
                if !state.items.isEmpty {
                    continuation.resume(returning: .success(state.items.removeFirst()))
                    return nil
                }
                if state.finished {
                    continuation.resume(returning: .success(nil))
                    return nil
                }
                let token = state.nextToken
                state.nextToken += 1
                state.waiter = (token, continuation)
                return token
            }
            guard let token else {
                return
            }
            Task {
                try? await Task.sleep(for: timeout)
                let expired = self.state.withLock {
                    state -> CheckedContinuation<Result<Element?, TestTimeout>, Never>? in
                    guard let waiter = state.waiter, waiter.token == token else {
                        return nil
                    }
                    state.waiter = nil
                    return waiter.continuation
                }
                expired?.resume(returning: .failure(TestTimeout(what: what)))
            }
        }
    }
}
