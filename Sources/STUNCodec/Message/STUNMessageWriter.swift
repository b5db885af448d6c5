import Crypto
import NIOCore

/// Writes one STUN message into a `ByteBuffer`. RFC 8489 §5, §14.5–§14.7.
///
/// The writer owns the buffer until ``finish()``. It writes the header at once and keeps the header's length field
/// current after every attribute, so MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT are computed over
/// exactly the bytes the RFC prescribes:
///
/// ```swift
/// var writer = STUNMessageWriter(
///     type: .bindingSuccessResponse,
///     transactionID: request.transactionID,
///     buffer: allocator.buffer(capacity: 128)
/// )
/// writer.append(XORMappedAddress(address: source))
/// writer.appendMessageIntegrity(key: key)
/// writer.appendFingerprint()
/// let datagram = writer.finish()
/// ```
///
/// Ordering rules (RFC 8489 §14.5–§14.7), enforced with preconditions since breaking them is a programming error:
/// after MESSAGE-INTEGRITY only MESSAGE-INTEGRITY-SHA256 and FINGERPRINT may follow; after
/// MESSAGE-INTEGRITY-SHA256 only FINGERPRINT; after FINGERPRINT nothing. ``appendRaw(type:value:)`` is exempt, as
/// an escape hatch for tests and relays.
public struct STUNMessageWriter: Sendable {
    private enum Stage: Comparable {
        case attributes
        case afterMessageIntegrity
        case afterMessageIntegritySHA256
        case afterFingerprint
    }

    private var buffer: ByteBuffer
    private let messageStart: Int
    private let transactionID: STUNTransactionID
    private var stage: Stage

    /// The byte written to pad attribute values to a multiple of 4. RFC 8489 §14 says the content is irrelevant;
    /// `0x00` by default. Tests set `0x20` to reproduce the RFC 5769 vectors byte for byte.
    public var paddingByte: UInt8 = 0x00

    /// Starts a message at the writer index of `buffer`.
    ///
    /// - Parameters:
    ///   - type: the message type.
    ///   - transactionID: the transaction ID (a response copies the request's).
    ///   - buffer: the buffer to append to, e.g. `allocator.buffer(capacity: 128)`.
    public init(type: STUNMessageType, transactionID: STUNTransactionID, buffer: ByteBuffer) {
        self.buffer = buffer
        self.messageStart = buffer.writerIndex
        self.transactionID = transactionID
        self.stage = .attributes
        self.buffer.writeMultipleIntegers(type.rawValue, UInt16(0), STUNMessage.magicCookie)
        self.buffer.writeTransactionID(transactionID)
    }

    /// The bytes written so far for this message, header included.
    public var messageLength: Int {
        self.buffer.writerIndex - self.messageStart
    }

    /// Appends a typed attribute: TLV header, value, padding.
    ///
    /// Appending ``Fingerprint`` this way writes its value as given and, like ``appendFingerprint()``, closes the
    /// message.
    ///
    /// - Precondition: no MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 or FINGERPRINT has been appended yet (except
    ///   that a ``Fingerprint`` may follow the integrity attributes).
    public mutating func append<A: STUNAttributeEncodable>(_ attribute: A) {
        if A.attributeType == .fingerprint {
            precondition(self.stage < .afterFingerprint, "FINGERPRINT must be the last attribute (RFC 8489 §14.7)")
        } else {
            precondition(
                self.stage == .attributes,
                "attributes after MESSAGE-INTEGRITY or FINGERPRINT are ignored by receivers (RFC 8489 §14.5)"
            )
        }
        let headerIndex = self.buffer.writerIndex
        self.buffer.writeMultipleIntegers(A.attributeType.rawValue, UInt16(0))
        let valueStart = self.buffer.writerIndex
        attribute.encode(into: &self.buffer, transactionID: self.transactionID)
        let valueLength = self.buffer.writerIndex - valueStart
        precondition(valueLength <= Int(UInt16.max), "attribute value longer than 65535 bytes")
        self.buffer.setInteger(UInt16(valueLength), at: headerIndex + 2)
        self.writePadding(valueLength: valueLength)
        self.updateLengthField()
        if A.attributeType == .fingerprint {
            self.stage = .afterFingerprint
        }
    }

    /// Appends an attribute from raw value bytes, with no ordering checks.
    ///
    /// - Precondition: `value.readableBytes <= 65535`.
    public mutating func appendRaw(type: STUNAttributeType, value: ByteBuffer) {
        precondition(value.readableBytes <= Int(UInt16.max), "attribute value longer than 65535 bytes")
        let valueLength = value.readableBytes
        self.buffer.writeMultipleIntegers(type.rawValue, UInt16(valueLength))
        var value = value
        self.buffer.writeBuffer(&value)
        self.writePadding(valueLength: valueLength)
        self.updateLengthField()
    }

    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 keyed with `key` over the message so far, with the header length
    /// counting the new attribute. RFC 8489 §14.5.
    ///
    /// - Parameter key: the short-term password bytes, or ``LongTermCredentials/key(username:realm:password:)``.
    /// - Precondition: no integrity attribute or FINGERPRINT yet.
    public mutating func appendMessageIntegrity(key: some Collection<UInt8>) {
        precondition(self.stage == .attributes, "only one MESSAGE-INTEGRITY, before MESSAGE-INTEGRITY-SHA256")
        self.appendHMAC(
            type: .messageIntegrity,
            hash: Insecure.SHA1.self,
            length: STUNIntegrity.sha1Length,
            key: key
        )
        self.stage = .afterMessageIntegrity
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 (full 32 bytes): HMAC-SHA256 keyed with `key` over the message so far, with
    /// the header length counting the new attribute. RFC 8489 §14.6.
    ///
    /// - Parameter key: ``LongTermCredentials/sha256Key(username:realm:password:)`` or the short-term password.
    /// - Precondition: no MESSAGE-INTEGRITY-SHA256 or FINGERPRINT yet.
    public mutating func appendMessageIntegritySHA256(key: some Collection<UInt8>) {
        self.appendMessageIntegritySHA256(key: key, length: STUNIntegrity.sha256Length)
    }

    /// Appends MESSAGE-INTEGRITY-SHA256 truncated to `length` bytes (RFC 8489 §14.6 allows 16–32, a multiple of
    /// 4, once both sides agreed on it).
    ///
    /// - Precondition: `length` is 16...32 and a multiple of 4; no MESSAGE-INTEGRITY-SHA256 or FINGERPRINT yet.
    public mutating func appendMessageIntegritySHA256(key: some Collection<UInt8>, length: Int) {
        precondition(
            length >= 16 && length <= STUNIntegrity.sha256Length && length % 4 == 0,
            "MESSAGE-INTEGRITY-SHA256 is 16...32 bytes, a multiple of 4"
        )
        precondition(self.stage <= .afterMessageIntegrity, "only one MESSAGE-INTEGRITY-SHA256, before FINGERPRINT")
        self.appendHMAC(type: .messageIntegritySHA256, hash: SHA256.self, length: length, key: key)
        self.stage = .afterMessageIntegritySHA256
    }

    /// Appends FINGERPRINT: CRC-32 of the message so far XOR 0x5354554E, with the header length counting the new
    /// attribute. RFC 8489 §14.7.
    ///
    /// - Precondition: no FINGERPRINT yet. Nothing can be appended after it.
    public mutating func appendFingerprint() {
        precondition(self.stage < .afterFingerprint, "only one FINGERPRINT")
        let attributeStart = self.buffer.writerIndex
        self.setLengthField(attributeStart - self.messageStart - STUNMessage.headerLength + 8)
        let value = STUNIntegrity.fingerprint(
            message: self.buffer,
            messageStart: self.messageStart,
            attributeStart: attributeStart
        )
        self.buffer.writeMultipleIntegers(STUNAttributeType.fingerprint.rawValue, UInt16(4), value)
        self.stage = .afterFingerprint
    }

    /// Returns the buffer with the complete message appended.
    public consuming func finish() -> ByteBuffer {
        self.buffer
    }

    // MARK: - Private

    private mutating func appendHMAC<H: HashFunction>(
        type: STUNAttributeType,
        hash: H.Type,
        length: Int,
        key: some Collection<UInt8>
    ) {
        let attributeStart = self.buffer.writerIndex
        let lengthField = attributeStart - self.messageStart - STUNMessage.headerLength + 4 + length
        precondition(lengthField <= Int(UInt16.max), "STUN message longer than 65535 bytes")
        let mac = STUNIntegrity.hmac(
            H.self,
            key: STUNIntegrity.symmetricKey(key),
            message: self.buffer,
            messageStart: self.messageStart,
            attributeStart: attributeStart,
            lengthField: UInt16(lengthField)
        )
        self.buffer.writeMultipleIntegers(type.rawValue, UInt16(length))
        mac.withUnsafeBytes { bytes in
            _ = self.buffer.writeBytes(bytes.prefix(length))
        }
        self.updateLengthField()
    }

    private mutating func writePadding(valueLength: Int) {
        let padding = STUNMessage.paddedLength(valueLength) - valueLength
        if padding > 0 {
            self.buffer.writeRepeatingByte(self.paddingByte, count: padding)
        }
    }

    private mutating func updateLengthField() {
        self.setLengthField(self.buffer.writerIndex - self.messageStart - STUNMessage.headerLength)
    }

    private mutating func setLengthField(_ length: Int) {
        precondition(length <= Int(UInt16.max), "STUN message longer than 65535 bytes")
        self.buffer.setInteger(UInt16(length), at: self.messageStart + 2)
    }
}
