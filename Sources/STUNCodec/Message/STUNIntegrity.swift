import Crypto
import Foundation
import NIOCore

/// The computations behind MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT, shared by
/// ``STUNMessage`` (checking) and ``STUNMessageWriter`` (producing). RFC 8489 §14.5–§14.7.
///
/// All of them cover the message from its first byte up to the attribute's own header, with the header's length
/// field rewritten so that the message would end right after the attribute.
@usableFromInline
internal enum STUNIntegrity {
    /// The FINGERPRINT XOR constant ("STUN" in ASCII). RFC 8489 §14.7.
    @usableFromInline
    static let fingerprintXOR: UInt32 = 0x5354_554E

    /// Length of the MESSAGE-INTEGRITY value (HMAC-SHA1).
    @usableFromInline
    static let sha1Length = 20

    /// Length of a full MESSAGE-INTEGRITY-SHA256 value (HMAC-SHA256).
    @usableFromInline
    static let sha256Length = 32

    /// HMAC over `message[messageStart..<attributeStart]`, with the length field replaced by `lengthField`.
    ///
    /// - Parameters:
    ///   - hash: the hash function (`Insecure.SHA1` or `SHA256`).
    ///   - key: the HMAC key.
    ///   - message: a buffer holding the message.
    ///   - messageStart: the index of the message's first header byte in `message`.
    ///   - attributeStart: the index of the integrity attribute's TLV header in `message`.
    ///   - lengthField: the STUN length to pretend the header holds.
    static func hmac<H: HashFunction>(
        _ hash: H.Type,
        key: SymmetricKey,
        message: ByteBuffer,
        messageStart: Int,
        attributeStart: Int,
        lengthField: UInt16
    ) -> HMAC<H>.MAC {
        var hmac = HMAC<H>(key: key)
        message.withUnsafeReadableBytes { bytes in
            let start = messageStart - message.readerIndex
            let end = attributeStart - message.readerIndex
            hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[start..<(start + 2)]))
            withUnsafeBytes(of: lengthField.bigEndian) { hmac.update(data: $0) }
            hmac.update(data: UnsafeRawBufferPointer(rebasing: bytes[(start + 4)..<end]))
        }
        return hmac.finalize()
    }

    /// FINGERPRINT value over `message[messageStart..<attributeStart]` as it stands (the length field must already
    /// count the FINGERPRINT attribute).
    static func fingerprint(message: ByteBuffer, messageStart: Int, attributeStart: Int) -> UInt32 {
        message.withUnsafeReadableBytes { bytes in
            let start = messageStart - message.readerIndex
            let end = attributeStart - message.readerIndex
            return CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) ^ Self.fingerprintXOR
        }
    }

    /// A `SymmetricKey` from any byte collection.
    static func symmetricKey(_ key: some Collection<UInt8>) -> SymmetricKey {
        SymmetricKey(data: Array(key))
    }
}
