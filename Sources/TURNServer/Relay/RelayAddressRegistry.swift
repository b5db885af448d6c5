import NIOConcurrencyHelpers
import STUNCodec

/// The relay addresses live on this server, across every event loop. Read by the peer policy when a permission
/// or channel is created (two clients relayed by this server may always reach each other), written when an
/// allocation is created or deleted; never touched per packet.
public final class RelayAddressRegistry: Sendable {
    private let addresses = NIOLockedValueBox<Set<TransportAddress>>([])

    public init() {}

    public func insert(_ address: TransportAddress) {
        self.addresses.withLockedValue { _ = $0.insert(address) }
    }

    public func remove(_ address: TransportAddress) {
        self.addresses.withLockedValue { _ = $0.remove(address) }
    }

    public func contains(_ address: TransportAddress) -> Bool {
        self.addresses.withLockedValue { $0.contains(address.unmappingIPv4()) || $0.contains(address) }
    }
}
