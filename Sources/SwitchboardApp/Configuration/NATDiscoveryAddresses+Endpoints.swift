import NIOCore
import STUNCodec
import TURNServer

extension NATDiscoveryAddresses {
    /// The listener's view of the same addresses (the parsing cannot fail: ``resolve(values:)`` checked them).
    var endpoints: NATDiscoveryEndpoints? {
        func ip(_ text: String) -> TransportAddress.IP? {
            (try? SocketAddress(ipAddress: text, port: 0)).flatMap(TransportAddress.init)?.ip
        }
        guard let primary = ip(self.primaryAddress) else {
            return nil
        }
        return NATDiscoveryEndpoints(
            primary: TransportAddress(ip: primary, port: UInt16(self.port)),
            alternateIP: self.alternateAddress.flatMap(ip),
            alternatePort: self.alternatePort.map { UInt16($0) }
        )
    }
}
