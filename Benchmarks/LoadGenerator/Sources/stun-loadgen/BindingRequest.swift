import LoadGeneratorSupport

/// Encodes RFC 8489 Binding requests: the 20-byte header, optionally followed by FINGERPRINT.
struct BindingRequestEncoder {
    /// RFC 8489 §5.
    static let magicCookie: UInt32 = 0x2112_A442
    /// Binding request message type (method 0x001, class request).
    static let bindingRequest: UInt16 = 0x0001
    /// FINGERPRINT attribute type, RFC 8489 §14.7.
    static let fingerprintType: UInt16 = 0x8028
    /// XORed into the CRC-32 of FINGERPRINT.
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// Whether requests carry FINGERPRINT.
    let fingerprint: Bool

    /// Size of every request on the wire.
    var size: Int {
        self.fingerprint ? 28 : 20
    }

    /// Writes a Binding request with transaction id `id` to the start of `bytes`, which holds at least `size`
    /// bytes.
    func encode(id: TransactionID, into bytes: UnsafeMutableRawBufferPointer) {
        bytes.storeBytes(of: Self.bindingRequest.bigEndian, toByteOffset: 0, as: UInt16.self)
        bytes.storeBytes(of: UInt16(self.size - 20).bigEndian, toByteOffset: 2, as: UInt16.self)
        bytes.storeBytes(of: Self.magicCookie.bigEndian, toByteOffset: 4, as: UInt32.self)
        id.write(to: bytes, at: 8)
        if self.fingerprint {
            // The CRC covers the message up to the attribute, with the header length already counting it.
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[0..<20])) ^ Self.fingerprintXOR
            bytes.storeBytes(of: Self.fingerprintType.bigEndian, toByteOffset: 20, as: UInt16.self)
            bytes.storeBytes(of: UInt16(4).bigEndian, toByteOffset: 22, as: UInt16.self)
            bytes.storeBytes(of: crc.bigEndian, toByteOffset: 24, as: UInt32.self)
        }
    }
}
