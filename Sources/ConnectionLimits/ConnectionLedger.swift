/// The open connections of one listener (or one kind of session), in total and per client: decides whether one
/// more may open. Pure: it owns no socket and no lock (see ``SharedConnectionLedger``).
///
/// A cap of 0 is off. The per-client cap is what keeps one address from taking every file descriptor while others
/// still get in; the total is what keeps the process within its descriptor limit.
public struct ConnectionLedger<Key: Hashable>: Sendable where Key: Sendable {
    /// Why a connection was refused.
    public enum Refusal: String, Sendable, Hashable, CaseIterable {
        /// The listener holds its most connections.
        case total
        /// The client's address holds its most connections.
        case perAddress = "per_address"
    }

    /// The most open connections in all; 0 is unlimited.
    public let totalLimit: Int
    /// The most open connections per key; 0 is unlimited.
    public let perKeyLimit: Int
    /// The open connections.
    public private(set) var count = 0
    private var counts: [Key: Int] = [:]

    public init(totalLimit: Int, perKeyLimit: Int) {
        precondition(totalLimit >= 0 && perKeyLimit >= 0, "a cap is 0 (off) or positive")
        self.totalLimit = totalLimit
        self.perKeyLimit = perKeyLimit
    }

    /// The open connections of `key`.
    public func count(for key: Key) -> Int {
        self.counts[key] ?? 0
    }

    /// Counts a new connection of `key` and returns nil, or returns why it may not open (and counts nothing).
    public mutating func open(_ key: Key) -> Refusal? {
        if self.totalLimit > 0 && self.count >= self.totalLimit {
            return .total
        }
        let current = self.counts[key] ?? 0
        if self.perKeyLimit > 0 && current >= self.perKeyLimit {
            return .perAddress
        }
        self.counts[key] = current + 1
        self.count += 1
        return nil
    }

    /// Forgets a connection of `key` that ``open(_:)`` admitted.
    public mutating func close(_ key: Key) {
        guard let current = self.counts[key] else {
            assertionFailure("closing a connection the ledger never admitted")
            return
        }
        // Keys of departed clients are dropped, so the table is only as large as the open connections.
        self.counts[key] = current > 1 ? current - 1 : nil
        self.count -= 1
    }
}
