import STUNCodec
import TURNServer

/// A set of IP addresses of both families kept as sorted, disjoint closed intervals, so that coturn's
/// `FIRST-LAST` peer ranges can be combined exactly and written back as the CIDR ranges Switchboard reads.
struct IPIntervalSet: Equatable {
    /// One family's addresses as integers: IPv4 in the low 32 bits.
    struct Interval: Equatable {
        var lower: UInt128
        var upper: UInt128
    }

    private(set) var ipv4: [Interval] = []
    private(set) var ipv6: [Interval] = []

    var isEmpty: Bool {
        self.ipv4.isEmpty && self.ipv6.isEmpty
    }

    /// Parses coturn's range text: an address (`192.0.2.7`), `FIRST-LAST` of one family, or a CIDR range
    /// (`10.0.0.0/8`, which coturn does not read but an operator may mean). `nil` when it is none of these.
    init?(coturnRange text: String) {
        let ends = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if ends.count == 2 {
            guard let first = Self.address(String(ends[0])), let last = Self.address(String(ends[1])),
                first.isIPv6 == last.isIPv6, first.value <= last.value
            else {
                return nil
            }
            self.insert(Interval(lower: first.value, upper: last.value), isIPv6: first.isIPv6)
            return
        }
        guard let range = IPAddressRange(text) else {
            return nil
        }
        let (network, isIPv6) = Self.integer(range.network)
        let hostBits = (isIPv6 ? 128 : 32) - range.prefixLength
        let size: UInt128 = hostBits == 128 ? UInt128.max : (UInt128(1) << hostBits) - 1
        self.insert(Interval(lower: network, upper: network + size), isIPv6: isIPv6)
    }

    init() {}

    /// The addresses in `self` or in `other`.
    func union(_ other: IPIntervalSet) -> IPIntervalSet {
        var result = self
        for interval in other.ipv4 {
            result.insert(interval, isIPv6: false)
        }
        for interval in other.ipv6 {
            result.insert(interval, isIPv6: true)
        }
        return result
    }

    /// The addresses in `self` and not in `other`.
    func subtracting(_ other: IPIntervalSet) -> IPIntervalSet {
        var result = IPIntervalSet()
        result.ipv4 = Self.subtract(self.ipv4, other.ipv4)
        result.ipv6 = Self.subtract(self.ipv6, other.ipv6)
        return result
    }

    /// The fewest CIDR ranges covering exactly this set, IPv4 first; a single address is written bare.
    var cidrRanges: [String] {
        self.ipv4.flatMap { Self.cidrs(of: $0, bits: 32) } + self.ipv6.flatMap { Self.cidrs(of: $0, bits: 128) }
    }

    // MARK: - Internals

    private mutating func insert(_ interval: Interval, isIPv6: Bool) {
        var intervals = (isIPv6 ? self.ipv6 : self.ipv4) + [interval]
        intervals.sort { $0.lower < $1.lower }
        var merged: [Interval] = []
        for next in intervals {
            // Adjacent intervals merge too, so the CIDR cover stays minimal.
            if let last = merged.last, last.upper == UInt128.max || next.lower <= last.upper + 1 {
                merged[merged.count - 1].upper = max(last.upper, next.upper)
            } else {
                merged.append(next)
            }
        }
        if isIPv6 {
            self.ipv6 = merged
        } else {
            self.ipv4 = merged
        }
    }

    private static func subtract(_ intervals: [Interval], _ removed: [Interval]) -> [Interval] {
        var remaining = intervals
        for cut in removed {
            remaining = remaining.flatMap { piece -> [Interval] in
                guard cut.upper >= piece.lower, cut.lower <= piece.upper else {
                    return [piece]
                }
                var parts: [Interval] = []
                if cut.lower > piece.lower {
                    parts.append(Interval(lower: piece.lower, upper: cut.lower - 1))
                }
                if cut.upper < piece.upper {
                    parts.append(Interval(lower: cut.upper + 1, upper: piece.upper))
                }
                return parts
            }
        }
        return remaining
    }

    private static func cidrs(of interval: Interval, bits: Int) -> [String] {
        var result: [String] = []
        var lower = interval.lower
        while true {
            // The largest aligned block that starts at `lower` and stays inside the interval.
            var hostBits = lower == 0 ? bits : min(lower.trailingZeroBitCount, bits)
            while hostBits > 0, Self.last(lower, hostBits) > interval.upper {
                hostBits -= 1
            }
            result.append(Self.text(lower, prefixLength: bits - hostBits, bits: bits))
            let last = Self.last(lower, hostBits)
            if last >= interval.upper {
                return result
            }
            lower = last + 1
        }
    }

    /// The last address of the block of `hostBits` host bits starting at `lower`, saturating at the top.
    private static func last(_ lower: UInt128, _ hostBits: Int) -> UInt128 {
        let span = hostBits >= 128 ? UInt128.max : (UInt128(1) << hostBits) - 1
        return lower > UInt128.max - span ? UInt128.max : lower + span
    }

    private static func text(_ value: UInt128, prefixLength: Int, bits: Int) -> String {
        let ip: TransportAddress.IP =
            bits == 32
            ? .v4(UInt32(truncatingIfNeeded: value))
            : .v6(UInt64(truncatingIfNeeded: value >> 64), UInt64(truncatingIfNeeded: value))
        let address = ip.text
        return prefixLength == bits ? address : "\(address)/\(prefixLength)"
    }

    private static func address(_ text: String) -> (value: UInt128, isIPv6: Bool)? {
        guard !text.contains("/"), let range = IPAddressRange(text) else {
            return nil
        }
        return Self.integer(range.network)
    }

    private static func integer(_ ip: TransportAddress.IP) -> (value: UInt128, isIPv6: Bool) {
        switch ip {
        case .v4(let value): return (UInt128(value), false)
        case .v6(let high, let low): return (UInt128(high) << 64 | UInt128(low), true)
        }
    }
}
