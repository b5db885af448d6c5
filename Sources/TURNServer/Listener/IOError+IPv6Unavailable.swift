import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#endif

extension IOError {
    /// Whether binding `ip` failed only because this host has no IPv6: `ip` is an IPv6 address and the error is
    /// `EAFNOSUPPORT` (no IPv6 stack) or `EADDRNOTAVAIL` (IPv6 disabled on every interface). Listeners skip such an
    /// address with a warning instead of failing the whole start, so `::` in the defaults works on IPv4-only hosts.
    public func meansIPv6Unavailable(binding ip: TransportAddress.IP) -> Bool {
        guard case .v6 = ip else {
            return false
        }
        return [EAFNOSUPPORT, EADDRNOTAVAIL].contains(self.errnoCode)
    }
}
