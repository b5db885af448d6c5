import SocketIOCodec

/// The messages a node waits to publish, in order, as a bounded queue: client events and broadcasts beyond
/// ``capacity`` are dropped and counted (a database slower than the clients must not grow the node's memory without
/// bound); the cluster's own messages always go, since dropping one would make the others believe this node gone.
struct ClusterOutbox: Sendable {
    let capacity: Int
    private(set) var messages: [ClusterMessage] = []
    /// Client messages dropped since ``takeDropped()``.
    private(set) var dropped = 0
    /// Makes every payload of one node unique: PostgreSQL folds identical payloads of one transaction into one.
    private var sequence: UInt64 = 0

    init(capacity: Int = 65_536) {
        self.capacity = capacity
    }

    /// Queues a message; false when it was dropped.
    mutating func append(_ message: ClusterMessage) -> Bool {
        switch message {
        case .event, .broadcast:
            guard self.messages.count < self.capacity else {
                self.dropped += 1
                return false
            }
        case .heartbeat, .nodeDown, .hello, .snapshot:
            break
        }
        self.messages.append(message)
        return true
    }

    /// Takes every waiting message as a payload, `SEQUENCE JSON`.
    mutating func takePayloads() -> [String] {
        defer { self.messages = [] }
        return self.messages.map { message in
            self.sequence &+= 1
            return "\(self.sequence) \(message.json.serialized())"
        }
    }

    /// Takes every waiting message as it is (the database went away).
    mutating func takeMessages() -> [ClusterMessage] {
        defer { self.messages = [] }
        return self.messages
    }

    /// The count of dropped messages, reset.
    mutating func takeDropped() -> Int {
        defer { self.dropped = 0 }
        return self.dropped
    }
}
