import NIOConcurrencyHelpers
import STUNCodec

/// The relay addresses live on this server, across every event loop. Read by the peer policy when a permission
/// or channel is created (two clients relayed by this server may always reach each other), written when an
/// allocation is created or deleted; never touched per packet.
///
/// Counted: a UDP relay and an RFC 6062 TCP relay of two allocations may have the same IP and port, and the address
/// stays live until both are gone.
public final class RelayAddressRegistry: Sendable {
    private let addresses = NIOLockedValueBox<[TransportAddress: Int]>([:])

    public init() {}

    public func insert(_ address: TransportAddress) {
        self.addresses.withLockedValue { $0[address, default: 0] += 1 }
    }

    public func remove(_ address: TransportAddress) {
        self.addresses.withLockedValue { addresses in
            guard let count = addresses[address] else {
                return
            }
            addresses[address] = count > 1 ? count - 1 : nil
        }
    }

    public func contains(_ address: TransportAddress) -> Bool {
        self.addresses.withLockedValue { $0[address.unmappingIPv4()] != nil || $0[address] != nil }
    }
}
