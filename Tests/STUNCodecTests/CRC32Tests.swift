import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

@Suite struct CRC32Tests {
    @Test func checkValue() {
        #expect(CRC32.checksum("123456789".utf8) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    @Test func knownValues() {
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum("a".utf8) == 0xE8B7_BE43)
        #expect(CRC32.checksum("The quick brown fox jumps over the lazy dog".utf8) == 0x414F_A339)
        #expect(CRC32.checksum([UInt8](repeating: 0, count: 32)) == 0x190A_55AD)
    }

    @Test func incrementalMatchesOneShot() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in 0...bytes.count {
            var crc = CRC32()
            crc.update(bytes[..<split])
            bytes[split...].withUnsafeBytes { crc.update($0) }
            #expect(crc.value == 0x414F_A339)
        }
    }

    /// The eight-byte steps and the byte-at-a-time tail against a bit-at-a-time CRC, at every length and alignment
    /// up to 40 bytes (so every split between steps and tail, at every offset in the buffer).
    @Test func matchesBitwiseReferenceAtEveryLengthAndOffset() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<48).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for offset in 0..<8 {
            for length in 0...40 {
                let slice = bytes[offset..<(offset + length)]
                let fast = slice.withUnsafeBytes { CRC32.checksum($0) }
                #expect(fast == Self.bitwiseCRC32(slice), "offset \(offset), length \(length)")
            }
        }
    }

    /// CRC-32 one bit at a time, straight from the definition (reflected polynomial 0xEDB88320).
    private static func bitwiseCRC32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
        }
        return crc ^ 0xFFFF_FFFF
    }

    @Test func nonContiguousSequence() {
        #expect(CRC32.checksum("123456789".utf8.lazy.map { $0 }) == 0xCBF4_3926)
    }

    @Test func fingerprintOfRFC5769Request() {
        // FINGERPRINT = CRC-32 of everything before it, XOR 0x5354554E.
        let covered = STUNVectors.sampleRequest.dropLast(8)
        #expect(CRC32.checksum(covered) ^ 0x5354_554E == 0xE57A_3BCF)
    }
}
