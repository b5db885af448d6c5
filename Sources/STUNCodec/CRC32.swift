/// Table-driven CRC-32 (IEEE 802.3 polynomial, reflected, as in zlib and ITU-T V.42), used by the
/// RFC 8489 §14.7 FINGERPRINT attribute. swift-crypto does not provide it.
///
/// `CRC32.checksum("123456789".utf8) == 0xCBF4_3926`.
public struct CRC32: Hashable, Sendable {
    /// The byte-at-a-time lookup table for the reflected polynomial 0xEDB88320.
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 {
            crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
        }
        return crc
    }

    private var state: UInt32 = 0xFFFF_FFFF

    /// Creates a checksum over no bytes yet.
    public init() {}

    /// The CRC-32 of the bytes seen so far.
    public var value: UInt32 {
        self.state ^ 0xFFFF_FFFF
    }

    /// Feeds more bytes into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var crc = self.state
        Self.table.withUnsafeBufferPointer { table in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        self.state = crc
    }

    /// Feeds more bytes into the checksum.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        let handled: Void? = bytes.withContiguousStorageIfAvailable { buffer in
            self.update(UnsafeRawBufferPointer(buffer))
        }
        if handled == nil {
            var crc = self.state
            for byte in bytes {
                crc = Self.table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
            self.state = crc
        }
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
