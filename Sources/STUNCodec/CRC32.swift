/// Table-driven CRC-32 (IEEE 802.3 polynomial, reflected, as in zlib and ITU-T V.42), used by the
/// RFC 8489 §14.7 FINGERPRINT attribute. swift-crypto does not provide it.
///
/// Eight bytes per step with eight lookup tables ("slicing-by-8"), the tail a byte at a time: every Send indication
/// and Binding request that carries a FINGERPRINT is checked on the relay's receive path.
///
/// `CRC32.checksum("123456789".utf8) == 0xCBF4_3926`.
public struct CRC32: Hashable, Sendable {
    /// Eight 256-entry tables, one after the other. Table 0 is the byte-at-a-time table of the reflected polynomial
    /// 0xEDB88320; entry `i` of table `k` is the CRC of byte `i` followed by `k` zero bytes, so that the eight bytes
    /// of a step are looked up independently and combined with XOR.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            tables[index] = crc
        }
        for table in 1..<8 {
            for index in 0..<256 {
                let previous = tables[(table - 1) * 256 + index]
                tables[table * 256 + index] = (previous >> 8) ^ tables[Int(previous & 0xFF)]
            }
        }
        return tables
    }()

    private var state: UInt32 = 0xFFFF_FFFF

    /// Creates a checksum over no bytes yet.
    public init() {}

    /// The CRC-32 of the bytes seen so far.
    public var value: UInt32 {
        self.state ^ 0xFFFF_FFFF
    }

    /// Feeds more bytes into the checksum.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else {
            return
        }
        var crc = self.state
        Self.tables.withUnsafeBufferPointer { tables in
            var offset = 0
            while offset + 8 <= bytes.count {
                let first = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) ^ crc
                let second = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
                crc =
                    tables[7 * 256 + Int(first & 0xFF)] ^ tables[6 * 256 + Int((first >> 8) & 0xFF)]
                    ^ tables[5 * 256 + Int((first >> 16) & 0xFF)] ^ tables[4 * 256 + Int(first >> 24)]
                    ^ tables[3 * 256 + Int(second & 0xFF)] ^ tables[2 * 256 + Int((second >> 8) & 0xFF)]
                    ^ tables[256 + Int((second >> 16) & 0xFF)] ^ tables[Int(second >> 24)]
                offset += 8
            }
            while offset < bytes.count {
                crc = tables[Int((crc ^ UInt32(bytes[offset])) & 0xFF)] ^ (crc >> 8)
                offset += 1
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
                crc = Self.tables[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
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
