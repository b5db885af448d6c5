import NIOCore
import STUNCodec

/// The MAC of ``NonceIssuer``: HMAC-SHA256 truncated to 16 bytes.
///
/// TURNServer does not link swift-crypto itself, so the HMAC comes from the codec's MESSAGE-INTEGRITY-SHA256 writer
/// (RFC 8489 §14.6): the HMAC input is a fixed 20-byte STUN header (length field included) followed by one attribute
/// whose value is `message`. The header is the same for every message of a given length and the attribute carries
/// the length, so distinct messages give distinct HMAC inputs. If TURNServer ever depends on `Crypto` directly, this
/// becomes `HMAC<SHA256>.authenticationCode(for:using:)` truncated to 16 bytes (and nonces of the running process
/// change meaning, which is harmless: they are checked by the same process only).
enum NonceMAC {
    /// The MAC length in bytes (the shortest MESSAGE-INTEGRITY-SHA256 allows, RFC 8489 §14.6).
    static let length = 16

    /// The attribute type the message is wrapped in (comprehension-optional; never sent on the wire).
    private static let attributeType = STUNAttributeType(rawValue: 0xFFFF)

    /// HMAC-SHA256(`key`, wrapped `message`), truncated to ``length`` bytes.
    static func compute(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var writer = STUNMessageWriter(
            type: .bindingIndication,
            transactionID: STUNTransactionID([UInt8](repeating: 0, count: 12)),
            buffer: ByteBuffer()
        )
        writer.appendRaw(type: Self.attributeType, value: ByteBuffer(bytes: message))
        writer.appendMessageIntegritySHA256(key: key, length: Self.length)
        let bytes = writer.finish()
        return Array(bytes.readableBytesView.suffix(Self.length))
    }
}
