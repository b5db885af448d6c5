import NIOCore
import STUNCodec

/// The transport addresses a server offers for NAT behaviour discovery (RFC 5780 §3): the primary address and
/// port, and an alternate IP, an alternate port, or both. Every combination of the two IPs and the two ports is a
/// UDP socket the server listens on, so a request that arrives on any of them can be answered from any other.
///
/// With only an alternate port the server can change ports but not IPs (one address on the host).
public struct NATDiscoveryEndpoints: Hashable, Sendable {
    /// The primary IP and port (`stun.addresses`, `stun.port`).
    public var primary: TransportAddress
    /// The alternate IP (`stun.alternateAddress`), nil when the host offers only one.
    public var alternateIP: TransportAddress.IP?
    /// The alternate port (`stun.alternatePort`), nil when none.
    public var alternatePort: UInt16?

    /// Creates the set. An alternate equal to the primary's IP or port counts as none.
    public init(primary: TransportAddress, alternateIP: TransportAddress.IP?, alternatePort: UInt16?) {
        self.primary = primary
        self.alternateIP = alternateIP == primary.ip ? nil : alternateIP
        self.alternatePort = alternatePort == primary.port ? nil : alternatePort
    }

    /// Whether there is anything to discover with: an alternate IP or port.
    public var hasAlternate: Bool {
        self.alternateIP != nil || self.alternatePort != nil
    }

    /// The IPs and the ports of the set, primary first.
    private var ips: [TransportAddress.IP] { [self.primary.ip] + (self.alternateIP.map { [$0] } ?? []) }
    private var ports: [UInt16] { [self.primary.port] + (self.alternatePort.map { [$0] } ?? []) }

    /// Every address the server listens on for discovery, the primary first: 1, 2 or 4 of them.
    public var all: [TransportAddress] {
        self.ips.flatMap { ip in self.ports.map { TransportAddress(ip: ip, port: $0) } }
    }

    /// Whether `address` is one of ``all``.
    public func contains(_ address: TransportAddress) -> Bool {
        self.ips.contains(address.ip) && self.ports.contains(address.port)
    }

    /// The address a response leaves from when the request reached `local` and asked for the given changes
    /// (RFC 5780 §6.1); nil when a requested change is impossible (no alternate IP or port) or `local` is not in the
    /// set.
    public func origin(receivedOn local: TransportAddress, changeIP: Bool, changePort: Bool) -> TransportAddress? {
        guard self.contains(local) else {
            return nil
        }
        var origin = local
        if changeIP {
            guard let other = self.otherIP(than: local.ip) else {
                return nil
            }
            origin.ip = other
        }
        if changePort {
            guard let other = self.otherPort(than: local.port) else {
                return nil
            }
            origin.port = other
        }
        return origin
    }

    /// OTHER-ADDRESS for a request received on `local` (RFC 5780 §7.4): the address that differs from it in both IP
    /// and port, in whichever of the two the set has an alternate. Nil without any alternate.
    public func otherAddress(for local: TransportAddress) -> TransportAddress? {
        guard self.hasAlternate, self.contains(local) else {
            return nil
        }
        return TransportAddress(
            ip: self.otherIP(than: local.ip) ?? local.ip,
            port: self.otherPort(than: local.port) ?? local.port
        )
    }

    private func otherIP(than ip: TransportAddress.IP) -> TransportAddress.IP? {
        guard let alternate = self.alternateIP else {
            return nil
        }
        return ip == alternate ? self.primary.ip : alternate
    }

    private func otherPort(than port: UInt16) -> UInt16? {
        guard let alternate = self.alternatePort else {
            return nil
        }
        return port == alternate ? self.primary.port : alternate
    }
}
