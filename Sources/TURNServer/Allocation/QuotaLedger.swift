/// Allocation quotas (RFC 8656 §7.2: 486 Allocation Quota Reached): per user and in total. Pure counting; the
/// service shares one behind a lock, touched only when an allocation is created or deleted, never per packet.
public struct QuotaLedger: Sendable {
    public var perUser: Int
    public var total: Int
    public private(set) var countsByUser: [String: Int] = [:]
    public private(set) var count = 0

    /// - Parameters:
    ///   - perUser: allocations one username may hold at once; 0 means unlimited.
    ///   - total: allocations the server holds at once; 0 means unlimited.
    public init(perUser: Int, total: Int) {
        self.perUser = perUser
        self.total = total
    }

    /// Takes one allocation for `user`, or returns false when a quota is full.
    public mutating func acquire(user: String) -> Bool {
        if self.total > 0 && self.count >= self.total {
            return false
        }
        let current = self.countsByUser[user, default: 0]
        if self.perUser > 0 && current >= self.perUser {
            return false
        }
        self.countsByUser[user] = current + 1
        self.count += 1
        return true
    }

    /// Gives back one allocation of `user`.
    public mutating func release(user: String) {
        guard let current = self.countsByUser[user], current > 0 else {
            return
        }
        self.countsByUser[user] = current == 1 ? nil : current - 1
        self.count -= 1
    }
}
