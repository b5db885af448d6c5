/// The address family byte of address attributes and of REQUESTED-ADDRESS-FAMILY / ADDITIONAL-ADDRESS-FAMILY.
/// RFC 8489 §14.1; RFC 8656 §18.6, §18.11.
public enum STUNAddressFamily: UInt8, Hashable, Sendable, CaseIterable {
    /// 0x01, IPv4.
    case ipv4 = 1
    /// 0x02, IPv6.
    case ipv6 = 2
}
