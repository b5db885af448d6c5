#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The IP address of an HTTP client: the TCP peer of its connection, never a header it could forge
/// (`X-Forwarded-For`, `Forwarded`).
struct ClientAddress: Hashable, Sendable {
    /// 4 bytes (IPv4) or 16 (IPv6), network order. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is stored as IPv4.
    let bytes: [UInt8]

    /// Parses a textual IPv4 or IPv6 address (no brackets, no port, no zone); nil for anything else.
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else {
            return nil
        }
        let bytes = withUnsafeBytes(of: &v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
            self.bytes = Array(bytes[12...])
        } else {
            self.bytes = bytes
        }
    }

    /// 127.0.0.0/8 or ::1 (RFC 1122 §3.2.1.3, RFC 4291 §2.5.3), the IPv4 ones IPv4-mapped too.
    var isLoopback: Bool {
        if self.bytes.count == 4 {
            return self.bytes[0] == 127
        }
        return self.bytes[0..<15].allSatisfy { $0 == 0 } && self.bytes[15] == 1
    }

    /// The key a per-client limit counts under: the address for IPv4, its /64 for IPv6, since one subscriber
    /// usually holds a whole /64 (RFC 6177) and could otherwise take a fresh address per request.
    var rateLimitKey: [UInt8] {
        self.bytes.count == 4 ? self.bytes : Array(self.bytes[0..<8])
    }
}
