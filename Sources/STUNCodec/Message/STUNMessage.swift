import Crypto
import NIOCore

/// A decoded STUN message: header fields plus the attributes in wire order, values undecoded. RFC 8489 §5, §6.
///
/// Decoding allocates only the attribute array; attribute values are slices of the input buffer. Typed values are
/// decoded on demand with ``attribute(_:)`` / ``attributes(_:)``. The message keeps the bytes it was decoded from
/// so that MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT can be checked against them; changing
/// `type`, `transactionID` or `attributes` afterwards does not change what those checks see.
public struct STUNMessage: Sendable {
    /// The size of the STUN header. RFC 8489 §5.
    public static let headerLength = 20

    /// The magic cookie, bytes 4–7 of every RFC 5389/8489 message. RFC 8489 §5.
    public static let magicCookie: UInt32 = 0x2112_A442

    /// The message type (method and class).
    public var type: STUNMessageType

    /// The transaction ID.
    public var transactionID: STUNTransactionID

    /// The attributes, in wire order, duplicates included.
    public var attributes: [STUNRawAttribute]

    /// The whole message as received (header included), or an empty buffer for a message built in memory.
    @usableFromInline
    internal var storage: ByteBuffer

    /// Creates a message in memory. Integrity and fingerprint checks on it return `false`: they need received bytes.
    public init(type: STUNMessageType, transactionID: STUNTransactionID, attributes: [STUNRawAttribute] = []) {
        self.type = type
        self.transactionID = transactionID
        self.attributes = attributes
        self.storage = ByteBuffer()
    }

    private init(
        type: STUNMessageType,
        transactionID: STUNTransactionID,
        attributes: [STUNRawAttribute],
        storage: ByteBuffer
    ) {
        self.type = type
        self.transactionID = transactionID
        self.attributes = attributes
        self.storage = storage
    }

    // MARK: - Decoding

    /// Decodes one STUN message occupying all readable bytes of `buffer`. RFC 8489 §5, §6.
    ///
    /// Validates the header (top two bits zero, magic cookie 0x2112A442, length a multiple of 4 and equal to the
    /// bytes after the header) and walks the attributes (each TLV within bounds; padding is skipped without
    /// looking at its content, since RFC 5769 vectors pad with 0x20). Throws, never traps, on any input.
    ///
    /// - Parameter buffer: exactly one message (a UDP datagram, or one stream frame cut with
    ///   ``PacketDemultiplexer/streamFrame(in:acceptingChannelData:)``).
    public static func decode(_ buffer: ByteBuffer) throws(STUNCodecError) -> STUNMessage {
        let available = buffer.readableBytes
        guard available >= Self.headerLength,
            let (rawType, length, cookie) = buffer.getMultipleIntegers(
                at: buffer.readerIndex,
                as: (UInt16, UInt16, UInt32).self
            ),
            let transactionID = buffer.getTransactionID(at: buffer.readerIndex + 8)
        else {
            throw .truncatedHeader
        }
        guard let type = STUNMessageType(rawValue: rawType) else {
            throw .notSTUN
        }
        guard cookie == Self.magicCookie else {
            throw .badMagicCookie
        }
        guard length % 4 == 0 else {
            throw .unalignedLength
        }
        guard Int(length) == available - Self.headerLength else {
            throw .lengthMismatch
        }

        // Work on a zero-based slice so attribute offsets are message offsets.
        let storage = buffer.getSlice(at: buffer.readerIndex, length: available)!
        let end = available

        // First pass: validate and count, so the array is allocated once at its final size.
        var count = 0
        var offset = Self.headerLength
        while offset < end {
            guard end - offset >= 4 else {
                throw .attributeOverrun
            }
            let valueLength = Int(storage.getInteger(at: offset + 2, as: UInt16.self)!)
            guard valueLength <= end - offset - 4 else {
                throw .attributeOverrun
            }
            // Padding always fits: `end` and `offset` are multiples of 4.
            offset += 4 + Self.paddedLength(valueLength)
            count += 1
        }

        var attributes = [STUNRawAttribute]()
        attributes.reserveCapacity(count)
        offset = Self.headerLength
        while offset < end {
            let (rawAttributeType, valueLength) = storage.getMultipleIntegers(at: offset, as: (UInt16, UInt16).self)!
            let value = storage.getSlice(at: offset + 4, length: Int(valueLength))!
            attributes.append(STUNRawAttribute(type: STUNAttributeType(rawValue: rawAttributeType), value: value))
            offset += 4 + Self.paddedLength(Int(valueLength))
        }

        return STUNMessage(type: type, transactionID: transactionID, attributes: attributes, storage: storage)
    }

    /// `length` rounded up to a multiple of 4. RFC 8489 §14.
    @inlinable
    internal static func paddedLength(_ length: Int) -> Int {
        (length + 3) & ~3
    }

    // MARK: - Attribute access

    /// The first attribute of type `A.attributeType`, decoded, or `nil` if absent.
    ///
    /// RFC 8489 §14: only the first occurrence of an attribute is processed; later duplicates are ignored.
    public func attribute<A: STUNAttributeDecodable>(_ type: A.Type) throws(STUNCodecError) -> A? {
        let wanted = A.attributeType
        for attribute in self.attributes where attribute.type == wanted {
            return try A(decoding: attribute.value, transactionID: self.transactionID)
        }
        return nil
    }

    /// Every attribute of type `A.attributeType`, decoded, in wire order (for repeatable ones such as
    /// XOR-PEER-ADDRESS in CreatePermission, RFC 8656 §9).
    public func attributes<A: STUNAttributeDecodable>(_ type: A.Type) throws(STUNCodecError) -> [A] {
        let wanted = A.attributeType
        var result = [A]()
        for attribute in self.attributes where attribute.type == wanted {
            result.append(try A(decoding: attribute.value, transactionID: self.transactionID))
        }
        return result
    }

    /// The first attribute of `type`, undecoded, or `nil` if absent.
    public func rawAttribute(_ type: STUNAttributeType) -> STUNRawAttribute? {
        for attribute in self.attributes where attribute.type == type {
            return attribute
        }
        return nil
    }

    /// Whether an attribute of `type` is present.
    public func contains(_ type: STUNAttributeType) -> Bool {
        self.attributes.contains { $0.type == type }
    }

    /// The comprehension-required attribute types (below 0x8000) present in the message that are not in
    /// `understood`, without duplicates, in order of first appearance: the content of UNKNOWN-ATTRIBUTES for a
    /// 420 response. RFC 8489 §6.3.1, §14.13.
    ///
    /// Linear in the number of attributes (a 64 KiB message holds up to 16,383): the types already listed are kept
    /// as one bit each of a 4 KiB table, allocated at the first unknown type. Allocates nothing when every attribute
    /// is understood.
    public func unknownComprehensionRequiredAttributes(understood: Set<STUNAttributeType>) -> [STUNAttributeType] {
        var unknown = [STUNAttributeType]()
        var listed: [UInt64] = []
        for attribute in self.attributes
        where attribute.type.isComprehensionRequired && !understood.contains(attribute.type) {
            if listed.isEmpty {
                listed = [UInt64](repeating: 0, count: 0x8000 / 64)
            }
            let raw = Int(attribute.type.rawValue)
            let bit: UInt64 = 1 << (raw & 63)
            if listed[raw >> 6] & bit == 0 {
                listed[raw >> 6] |= bit
                unknown.append(attribute.type)
            }
        }
        return unknown
    }

    // MARK: - FINGERPRINT

    /// Whether the message carries a FINGERPRINT attribute (valid or not, last or not).
    public var hasFingerprint: Bool {
        self.contains(.fingerprint)
    }

    /// RFC 8489 §14.7: whether the last attribute is a FINGERPRINT whose value is the CRC-32 of the preceding
    /// bytes XOR 0x5354554E. `false` if FINGERPRINT is absent, not last, or the message was not decoded from bytes.
    public func isFingerprintValid() -> Bool {
        var last: AttributeLocation?
        self.forEachAttributeLocation { location in
            last = location
        }
        guard let last, last.type == .fingerprint, last.valueLength == 4,
            let received = self.storage.getInteger(at: last.offset + 4, as: UInt32.self)
        else {
            return false
        }
        let computed = STUNIntegrity.fingerprint(message: self.storage, messageStart: 0, attributeStart: last.offset)
        return computed == received
    }

    // MARK: - MESSAGE-INTEGRITY

    /// RFC 8489 §14.5: whether the first MESSAGE-INTEGRITY holds the HMAC-SHA1, keyed with `key`, of the message
    /// up to that attribute with the header length adjusted to end right after it. Compared in constant time.
    ///
    /// `false` if the attribute is absent or not 20 bytes long, if an attribute other than
    /// MESSAGE-INTEGRITY-SHA256 or FINGERPRINT follows it, or if the message was not decoded from bytes.
    ///
    /// - Parameter key: the short-term password bytes, or the long-term key from ``LongTermCredentials``.
    public func isMessageIntegrityValid(key: some Collection<UInt8>) -> Bool {
        self.checkIntegrity(
            type: .messageIntegrity,
            key: key,
            hash: Insecure.SHA1.self,
            isValidLength: { $0 == STUNIntegrity.sha1Length },
            isAllowedAfter: { $0 == .messageIntegritySHA256 || $0 == .fingerprint }
        )
    }

    /// RFC 8489 §14.6: whether the first MESSAGE-INTEGRITY-SHA256 holds the (possibly truncated) HMAC-SHA256,
    /// keyed with `key`, of the message up to that attribute with the header length adjusted to end right after it.
    /// Compared in constant time.
    ///
    /// `false` if the attribute is absent, if its length is not 16–32 and a multiple of 4, if an attribute other
    /// than FINGERPRINT follows it, or if the message was not decoded from bytes.
    ///
    /// - Parameter key: the SHA-256 long-term key from ``LongTermCredentials/sha256Key(username:realm:password:)``
    ///   (or the short-term password bytes).
    public func isMessageIntegritySHA256Valid(key: some Collection<UInt8>) -> Bool {
        self.checkIntegrity(
            type: .messageIntegritySHA256,
            key: key,
            hash: SHA256.self,
            isValidLength: { $0 >= 16 && $0 <= STUNIntegrity.sha256Length && $0 % 4 == 0 },
            isAllowedAfter: { $0 == .fingerprint }
        )
    }

    private func checkIntegrity<H: HashFunction>(
        type: STUNAttributeType,
        key: some Collection<UInt8>,
        hash: H.Type,
        isValidLength: (Int) -> Bool,
        isAllowedAfter: (STUNAttributeType) -> Bool
    ) -> Bool {
        // Find the first integrity attribute and make sure only the allowed attributes follow it.
        var found: AttributeLocation?
        var onlyAllowedAfter = true
        self.forEachAttributeLocation { location in
            if found == nil {
                if location.type == type {
                    found = location
                }
            } else if !isAllowedAfter(location.type) {
                onlyAllowedAfter = false
            }
        }
        guard let location = found, onlyAllowedAfter, isValidLength(location.valueLength) else {
            return false
        }
        let valueStart = location.offset + 4
        let mac = STUNIntegrity.hmac(
            H.self,
            key: STUNIntegrity.symmetricKey(key),
            message: self.storage,
            messageStart: 0,
            attributeStart: location.offset,
            lengthField: UInt16(valueStart + location.valueLength - Self.headerLength)
        )
        let received = self.storage.readableBytesView[valueStart..<(valueStart + location.valueLength)]
        return mac.withUnsafeBytes { computed in
            ConstantTime.equals(computed.prefix(location.valueLength), received)
        }
    }

    /// Where an attribute sits in `storage`.
    private struct AttributeLocation {
        var type: STUNAttributeType
        var offset: Int
        var valueLength: Int
    }

    /// Walks the attributes of `storage` (validated by `decode`) without allocating. Works from the stored bytes,
    /// so the checks do not depend on the public, mutable `attributes`.
    private func forEachAttributeLocation(_ body: (AttributeLocation) -> Void) {
        let end = self.storage.readableBytes
        var offset = Self.headerLength
        while offset + 4 <= end,
            let (rawType, valueLength) = self.storage.getMultipleIntegers(at: offset, as: (UInt16, UInt16).self),
            offset + 4 + Int(valueLength) <= end
        {
            body(
                AttributeLocation(
                    type: STUNAttributeType(rawValue: rawType),
                    offset: offset,
                    valueLength: Int(valueLength)
                )
            )
            offset += 4 + Self.paddedLength(Int(valueLength))
        }
    }
}
