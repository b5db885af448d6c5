import NIOCore
import Synchronization

/// A ``ConnectionLedger`` shared by the event loops of a listener (connections open and close on any thread): a
/// `Mutex` guards it, held only for the count.
public final class SharedConnectionLedger: Sendable {
    private let ledger: Mutex<ConnectionLedger<ClientAddressKey>>

    /// - Parameters:
    ///   - totalLimit: the most open connections in all; 0 is unlimited.
    ///   - perAddressLimit: the most per client address (IPv6: per /64); 0 is unlimited.
    public init(totalLimit: Int, perAddressLimit: Int) {
        self.ledger = Mutex(ConnectionLedger(totalLimit: totalLimit, perKeyLimit: perAddressLimit))
    }

    /// What became of a connection asking to open.
    public enum Admission: Sendable {
        /// Counted: close it with ``close(_:)`` and this key. A connection without an IP address has no key and
        /// counts against nothing.
        case admitted(ClientAddressKey?)
        /// Not counted; the connection must be refused.
        case refused(ConnectionLedger<ClientAddressKey>.Refusal)
    }

    /// Counts a connection from `address`, or says why it may not open.
    public func open(from address: SocketAddress?) -> Admission {
        guard let key = ClientAddressKey(address) else {
            return .admitted(nil)
        }
        if let refusal = self.ledger.withLock({ $0.open(key) }) {
            return .refused(refusal)
        }
        return .admitted(key)
    }

    /// Forgets an admitted connection.
    public func close(_ key: ClientAddressKey?) {
        guard let key else {
            return
        }
        self.ledger.withLock { $0.close(key) }
    }

    /// The open connections.
    public var count: Int {
        self.ledger.withLock { $0.count }
    }

    /// The caps in force: (total, per address), 0 meaning unlimited.
    public var limits: (total: Int, perAddress: Int) {
        self.ledger.withLock { ($0.totalLimit, $0.perKeyLimit) }
    }
}
