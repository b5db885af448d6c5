import NIOCore
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

    @Test func nonContiguousSequence() {
        #expect(CRC32.checksum("123456789".utf8.lazy.map { $0 }) == 0xCBF4_3926)
    }

    @Test func fingerprintOfRFC5769Request() {
        // FINGERPRINT = CRC-32 of everything before it, XOR 0x5354554E.
        let covered = Vectors.sampleRequest.dropLast(8)
        #expect(CRC32.checksum(covered) ^ 0x5354_554E == 0xE57A_3BCF)
    }
}
