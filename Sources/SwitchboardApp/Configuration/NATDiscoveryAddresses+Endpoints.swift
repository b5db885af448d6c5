import STUNCodec
import TURNServer

extension NATDiscoveryAddresses {
    /// The listener's view of the same addresses.
    var endpoints: NATDiscoveryEndpoints {
        NATDiscoveryEndpoints(
            primary: TransportAddress(ip: self.primaryAddress, port: UInt16(self.port)),
            alternateIP: self.alternateAddress,
            alternatePort: self.alternatePort.map { UInt16($0) }
        )
    }
}
