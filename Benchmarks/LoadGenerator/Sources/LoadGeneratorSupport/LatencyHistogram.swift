/// Round-trip times with exact microsecond percentiles: one counter per microsecond up to a bound, and the raw
/// values beyond it (rare on loopback).
package struct LatencyHistogram: Sendable {
    /// Counters cover 0..<bound microseconds.
    package static let bound = 100_000

    private var counts = [UInt32](repeating: 0, count: LatencyHistogram.bound)
    private var overflow: [UInt64] = []
    package private(set) var count: UInt64 = 0

    package init() {}

    /// Records one round trip of `microseconds`.
    package mutating func record(_ microseconds: UInt64) {
        if microseconds < UInt64(Self.bound) {
            self.counts[Int(microseconds)] &+= 1
        } else {
            self.overflow.append(microseconds)
        }
        self.count += 1
    }

    /// Adds every sample of `other`.
    package mutating func merge(_ other: LatencyHistogram) {
        for index in 0..<Self.bound where other.counts[index] != 0 {
            self.counts[index] &+= other.counts[index]
        }
        self.overflow.append(contentsOf: other.overflow)
        self.count += other.count
    }

    /// The smallest recorded value that at least `fraction` of the samples do not exceed, or 0 with no samples.
    package func percentile(_ fraction: Double) -> UInt64 {
        guard self.count > 0 else {
            return 0
        }
        let rank = max(1, UInt64((fraction * Double(self.count)).rounded(.up)))
        var seen: UInt64 = 0
        for index in 0..<Self.bound {
            seen += UInt64(self.counts[index])
            if seen >= rank {
                return UInt64(index)
            }
        }
        let sorted = self.overflow.sorted()
        return sorted[min(sorted.count - 1, Int(rank - seen) - 1)]
    }
}
