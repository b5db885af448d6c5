import NIOCore

#if canImport(Glibc)
import Glibc
#endif

extension IOError {
    /// Whether binding `host` failed only because this host has no IPv6: `host` is an IPv6 address and the error is
    /// `EAFNOSUPPORT` (no IPv6 stack) or `EADDRNOTAVAIL` (IPv6 disabled on every interface). Listeners skip such an
    /// address with a warning instead of failing the whole start, so `::` in the defaults works on IPv4-only hosts.
    public func meansIPv6Unavailable(binding host: String) -> Bool {
        guard [EAFNOSUPPORT, EADDRNOTAVAIL].contains(self.errnoCode),
            let address = try? SocketAddress(ipAddress: host, port: 0)
        else {
            return false
        }
        return address.protocol == .inet6
    }
}
