import CMMsg
import Glibc

/// A numeric IPv4 or IPv6 loopback transport address: the server under load, or a TURN peer.
///
/// Only loopback addresses are accepted: the load generators flood their target and are meant for one machine.
package struct ServerAddress: Sendable {
    /// Why a `HOST:PORT` string was refused.
    package struct ParseError: Error {
        package var reason: String
    }

    /// The address as the socket calls want it.
    package var storage: sockaddr_storage
    /// How many bytes of `storage` are meaningful.
    package var length: socklen_t
    /// `AF_INET` or `AF_INET6`.
    package var family: Int32

    /// Parses `127.0.0.1:3478`, `[::1]:3478` or `localhost:3478`.
    package init(parsing text: String) throws(ParseError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw ParseError(reason: "expected HOST:PORT")
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = UInt16(portText), port != 0 else {
            throw ParseError(reason: "bad port \(portText)")
        }
        if host.hasPrefix("["), host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        }
        if host == "localhost" {
            host = "127.0.0.1"
        }

        var storage = sockaddr_storage()
        var ipv4 = in_addr()
        var ipv6 = in6_addr()
        if inet_pton(AF_INET, host, &ipv4) == 1 {
            guard UInt32(bigEndian: ipv4.s_addr) >> 24 == 127 else {
                throw ParseError(reason: "not a loopback address; only 127.0.0.0/8 and ::1 are allowed")
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr = ipv4
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            self.length = socklen_t(MemoryLayout<sockaddr_in>.size)
            self.family = AF_INET
        } else if inet_pton(AF_INET6, host, &ipv6) == 1 {
            let loopback = (0..<16).map { $0 == 15 ? UInt8(1) : 0 }
            guard withUnsafeBytes(of: ipv6, { Array($0) }) == loopback else {
                throw ParseError(reason: "not a loopback address; only 127.0.0.0/8 and ::1 are allowed")
            }
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            address.sin6_addr = ipv6
            withUnsafeBytes(of: address) { source in
                withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) }
            }
            self.length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            self.family = AF_INET6
        } else {
            throw ParseError(reason: "host must be a numeric IPv4 or IPv6 address or localhost")
        }
        self.storage = storage
    }

    /// The IPv4 address and port, both in network byte order, or `nil` for an IPv6 address.
    package var ipv4: (address: UInt32, port: UInt16)? {
        guard self.family == AF_INET else {
            return nil
        }
        let address = withUnsafeBytes(of: self.storage) { $0.load(as: sockaddr_in.self) }
        return (address.sin_addr.s_addr, address.sin_port)
    }
}
