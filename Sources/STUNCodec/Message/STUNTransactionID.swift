import NIOCore

/// The 96-bit transaction ID of a STUN message. RFC 8489 §5.
///
/// Stored inline as a `UInt32` and a `UInt64` (no array), so it is a cheap dictionary key and copying it never
/// allocates. The layout also matches the XOR mask of RFC 8489 §14.2: the magic cookie followed by the transaction
/// ID splits into two `UInt64`s as `cookie << 32 | high` and `low`.
public struct STUNTransactionID: Hashable, Sendable, CustomStringConvertible {
    /// The first 4 bytes, big-endian.
    @usableFromInline
    internal var high: UInt32

    /// The last 8 bytes, big-endian.
    @usableFromInline
    internal var low: UInt64

    /// Creates a transaction ID from its first 4 bytes and its last 8, each read big-endian.
    @inlinable
    public init(high: UInt32, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates a transaction ID from exactly 12 bytes.
    ///
    /// - Precondition: `bytes.count == 12`.
    public init(_ bytes: some Collection<UInt8>) {
        precondition(bytes.count == 12, "a STUN transaction ID is 12 bytes, got \(bytes.count)")
        var high: UInt32 = 0
        var low: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 4 {
                high = high << 8 | UInt32(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// A new transaction ID from the system's cryptographically secure generator, as RFC 8489 §6 requires.
    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return STUNTransactionID(high: generator.next(), low: generator.next())
    }

    /// The 12 bytes, in wire order. Allocates; meant for tests and debugging.
    public var bytes: [UInt8] {
        var result = [UInt8]()
        result.reserveCapacity(12)
        for shift in stride(from: 24, through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: self.high >> UInt32(shift)))
        }
        for shift in stride(from: 56, through: 0, by: -8) {
            result.append(UInt8(truncatingIfNeeded: self.low >> UInt64(shift)))
        }
        return result
    }

    /// The 24 lowercase hex digits.
    public var description: String {
        let hex = String(self.high, radix: 16)
        let lowHex = String(self.low, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex + String(repeating: "0", count: 16 - lowHex.count)
            + lowHex
    }
}

extension ByteBuffer {
    /// Writes the 12 bytes of `transactionID`.
    @inlinable
    @discardableResult
    internal mutating func writeTransactionID(_ transactionID: STUNTransactionID) -> Int {
        self.writeMultipleIntegers(transactionID.high, transactionID.low)
    }

    /// Reads a transaction ID at `index` without moving the reader index.
    @inlinable
    internal func getTransactionID(at index: Int) -> STUNTransactionID? {
        guard let (high, low) = self.getMultipleIntegers(at: index, as: (UInt32, UInt64).self) else {
            return nil
        }
        return STUNTransactionID(high: high, low: low)
    }
}
