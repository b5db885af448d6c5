import STUNCodec

/// A CIDR range of IPv4 or IPv6 addresses (RFC 4632 §3.1, RFC 4291 §2.3), for the peer allow and deny lists.
///
/// Parses `"10.0.0.0/8"`, `"2001:db8::/32"`, `"::1/128"`, and a bare address as a single host (`"192.0.2.7"` is
/// `192.0.2.7/32`). IPv6 text follows RFC 4291 §2.2: `::` compression and a dotted IPv4 tail (`"::ffff:10.0.0.0/104"`)
/// are accepted, zone identifiers (`%eth0`) are not. IPv4 text is strict dotted-quad: four decimal parts, no leading
/// zeros (`"010.0.0.1"` is refused rather than guessed octal or decimal). Host bits below the prefix are cleared
/// (`"10.1.2.3/8"` is `10.0.0.0/8`).
///
/// A range inside the IPv4-mapped block `::ffff:0:0/96` is stored as the IPv4 range it maps
/// (`"::ffff:10.0.0.0/104"` is `10.0.0.0/8`), because ``PeerAddressPolicy`` checks peers in their IPv4 form.
/// ``contains(_:)`` compares within one family only.
public struct IPAddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the range (host bits cleared).
    public let network: TransportAddress.IP

    /// The prefix length: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Parses CIDR text (leading and trailing spaces ignored); `nil` if it is not a valid address or prefix length.
    public init?(_ text: String) {
        var trimmed = Substring(text)
        while let first = trimmed.first, first == " " || first == "\t" {
            trimmed.removeFirst()
        }
        while let last = trimmed.last, last == " " || last == "\t" {
            trimmed.removeLast()
        }
        let parts = trimmed.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let address = parts[0]
        let ip: TransportAddress.IP
        let maximumPrefix: Int
        if address.utf8.contains(UInt8(ascii: ":")) {
            guard let (high, low) = Self.parseIPv6(address) else {
                return nil
            }
            ip = .v6(high, low)
            maximumPrefix = 128
        } else {
            guard let value = Self.parseIPv4(address) else {
                return nil
            }
            ip = .v4(value)
            maximumPrefix = 32
        }
        var prefixLength = maximumPrefix
        if parts.count == 2 {
            let digits = parts[1]
            guard (1...3).contains(digits.utf8.count), digits.utf8.allSatisfy(Self.isDecimalDigit),
                let value = Int(digits), value <= maximumPrefix
            else {
                return nil
            }
            prefixLength = value
        }
        self.init(ip: ip, prefixLength: prefixLength)
    }

    /// The range of `prefixLength` bits around `ip` (host bits cleared).
    ///
    /// - Precondition: `prefixLength` is 0–32 for IPv4, 0–128 for IPv6.
    public init(ip: TransportAddress.IP, prefixLength: Int) {
        switch ip {
        case .v4(let value):
            precondition((0...32).contains(prefixLength), "IPv4 prefix length out of range")
            self.network = .v4(value & Self.ipv4Mask(prefixLength))
            self.prefixLength = prefixLength
        case .v6(let high, let low):
            precondition((0...128).contains(prefixLength), "IPv6 prefix length out of range")
            if prefixLength >= 96, high == 0, low >> 32 == 0xFFFF {
                // Inside the IPv4-mapped block ::ffff:0:0/96: the IPv4 range it maps.
                let ipv4PrefixLength = prefixLength - 96
                self.network = .v4(UInt32(truncatingIfNeeded: low) & Self.ipv4Mask(ipv4PrefixLength))
                self.prefixLength = ipv4PrefixLength
            } else {
                let (highMask, lowMask) = Self.ipv6Mask(prefixLength)
                self.network = .v6(high & highMask, low & lowMask)
                self.prefixLength = prefixLength
            }
        }
    }

    /// Whether `ip` lies in the range. An IPv4 address is never in an IPv6 range nor the reverse: canonicalise
    /// IPv4-mapped addresses first (``PeerAddressPolicy/canonicalize(_:)``).
    public func contains(_ ip: TransportAddress.IP) -> Bool {
        switch (self.network, ip) {
        case (.v4(let network), .v4(let value)):
            return value & Self.ipv4Mask(self.prefixLength) == network
        case (.v6(let networkHigh, let networkLow), .v6(let high, let low)):
            let (highMask, lowMask) = Self.ipv6Mask(self.prefixLength)
            return high & highMask == networkHigh && low & lowMask == networkLow
        default:
            return false
        }
    }

    /// `"10.0.0.0/8"`, `"2001:db8::/32"` (RFC 5952 text for IPv6).
    public var description: String {
        "\(TransportAddress(ip: self.network, port: 0).ipDescription)/\(self.prefixLength)"
    }

    // MARK: - Masks

    private static func ipv4Mask(_ prefixLength: Int) -> UInt32 {
        // Smart shifts: shifting by 32 gives 0.
        UInt32.max << UInt32(32 - prefixLength)
    }

    private static func ipv6Mask(_ prefixLength: Int) -> (high: UInt64, low: UInt64) {
        (
            UInt64.max << UInt64(64 - min(prefixLength, 64)),
            UInt64.max << UInt64(128 - max(prefixLength, 64))
        )
    }

    // MARK: - Parsing

    private static func isDecimalDigit(_ character: UInt8) -> Bool {
        character >= UInt8(ascii: "0") && character <= UInt8(ascii: "9")
    }

    private static func hexValue(_ character: UInt8) -> UInt16? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(character - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(character - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(character - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Strict dotted-quad: 4 decimal parts of 0–255, no leading zeros.
    static func parseIPv4(_ text: some StringProtocol) -> UInt32? {
        let parts = text.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard parts.count == 4 else {
            return nil
        }
        var value: UInt32 = 0
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(Self.isDecimalDigit),
                part.count == 1 || part.first != UInt8(ascii: "0")
            else {
                return nil
            }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else {
                return nil
            }
            value = value << 8 | octet
        }
        return value
    }

    /// RFC 4291 §2.2 text: eight groups of 1–4 hex digits, at most one `::` standing for one or more zero groups,
    /// optionally ending in a dotted IPv4 address worth two groups.
    static func parseIPv6(_ text: some StringProtocol) -> (high: UInt64, low: UInt64)? {
        let bytes = Array(text.utf8)
        var compression: Int? = nil
        var index = 0
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: ":") && bytes[index + 1] == UInt8(ascii: ":") {
                guard compression == nil else {
                    return nil
                }
                compression = index
            }
            index += 1
        }

        let groups: [UInt16]
        if let compression {
            guard let head = Self.parseGroups(bytes[..<compression], allowsIPv4Tail: false),
                let tail = Self.parseGroups(bytes[(compression + 2)...], allowsIPv4Tail: true),
                head.count + tail.count <= 7
            else {
                return nil
            }
            groups = head + [UInt16](repeating: 0, count: 8 - head.count - tail.count) + tail
        } else {
            guard let all = Self.parseGroups(bytes[...], allowsIPv4Tail: true), all.count == 8 else {
                return nil
            }
            groups = all
        }

        var high: UInt64 = 0
        var low: UInt64 = 0
        for (position, group) in groups.enumerated() {
            if position < 4 {
                high = high << 16 | UInt64(group)
            } else {
                low = low << 16 | UInt64(group)
            }
        }
        return (high, low)
    }

    /// Colon-separated groups; an empty input is no group. `nil` on an empty group or bad digits.
    private static func parseGroups(_ bytes: ArraySlice<UInt8>, allowsIPv4Tail: Bool) -> [UInt16]? {
        if bytes.isEmpty {
            return []
        }
        let fields = bytes.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var groups = [UInt16]()
        for (position, field) in fields.enumerated() {
            if allowsIPv4Tail, position == fields.count - 1, field.contains(UInt8(ascii: ".")) {
                guard let ipv4 = Self.parseIPv4(String(decoding: field, as: UTF8.self)) else {
                    return nil
                }
                groups.append(UInt16(truncatingIfNeeded: ipv4 >> 16))
                groups.append(UInt16(truncatingIfNeeded: ipv4))
                continue
            }
            guard (1...4).contains(field.count) else {
                return nil
            }
            var group: UInt16 = 0
            for character in field {
                guard let digit = Self.hexValue(character) else {
                    return nil
                }
                group = group << 4 | digit
            }
            groups.append(group)
        }
        return groups
    }
}
