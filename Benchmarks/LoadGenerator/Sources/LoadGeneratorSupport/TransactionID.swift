/// A 96-bit STUN transaction id (RFC 8489 §5), kept as the 12 wire bytes read in host order.
package struct TransactionID: Hashable, Sendable {
    /// Wire bytes 0..<8.
    package var high: UInt64
    /// Wire bytes 8..<12.
    package var low: UInt32

    package init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    /// Reads the id from `bytes[offset..<offset + 12]`.
    package init(from bytes: UnsafeRawBufferPointer, at offset: Int) {
        self.high = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
        self.low = bytes.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
    }

    /// A fresh random id.
    package init(using generator: inout some RandomNumberGenerator) {
        self.high = generator.next()
        self.low = UInt32(truncatingIfNeeded: generator.next())
    }

    /// Writes the id to `bytes[offset..<offset + 12]`.
    package func write(to bytes: UnsafeMutableRawBufferPointer, at offset: Int) {
        bytes.storeBytes(of: self.high, toByteOffset: offset, as: UInt64.self)
        bytes.storeBytes(of: self.low, toByteOffset: offset + 8, as: UInt32.self)
    }
}

/// SplitMix64: a fast generator for transaction ids, seeded from the system's entropy so that ids are
/// unpredictable across runs without a system call per request.
package struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    package init() {
        var system = SystemRandomNumberGenerator()
        self.state = system.next()
    }

    package mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
