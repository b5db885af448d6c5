import LoadGeneratorSupport

/// The requests of one socket that await a response, with the time each was sent.
struct OutstandingRequests {
    private var sentAt: [TransactionID: UInt64]

    init(capacity: Int) {
        self.sentAt = Dictionary(minimumCapacity: capacity)
    }

    /// Number of requests in flight.
    var count: Int {
        self.sentAt.count
    }

    /// Records request `id` sent at `nanoseconds`.
    mutating func insert(_ id: TransactionID, sentAt nanoseconds: UInt64) {
        self.sentAt[id] = nanoseconds
    }

    /// Forgets request `id` and returns when it was sent, or `nil` if it is not in flight.
    mutating func remove(_ id: TransactionID) -> UInt64? {
        self.sentAt.removeValue(forKey: id)
    }

    /// Forgets every request sent before `deadline` and returns how many there were.
    mutating func expire(sentBefore deadline: UInt64) -> Int {
        guard self.sentAt.values.contains(where: { $0 < deadline }) else {
            return 0
        }
        let before = self.sentAt.count
        self.sentAt = self.sentAt.filter { $0.value >= deadline }
        return before - self.sentAt.count
    }
}
