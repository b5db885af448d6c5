import Crypto

/// A received STUN message, checked for a consistent header and attribute layout, with its attributes located.
package struct STUNMessageView {
    /// One attribute: its type, where its TLV starts, and where its value lies in the message.
    package struct Attribute {
        package var type: UInt16
        package var start: Int
        package var value: Range<Int>
    }

    /// The whole message.
    package let bytes: [UInt8]
    /// Message type (method and class).
    package let type: UInt16
    /// Transaction id.
    package let transactionID: TransactionID
    /// The attributes in order.
    package let attributes: [Attribute]

    /// Parses `bytes`, or returns `nil` if they are not one well-formed STUN message (RFC 8489 §5, §14).
    package init?(_ bytes: [UInt8]) {
        guard bytes.count >= STUNConstant.headerSize, bytes[0] & 0xC0 == 0 else {
            return nil
        }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        let cookie = bytes.withUnsafeBytes { UInt32(bigEndian: $0.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) }
        guard cookie == STUNConstant.magicCookie, length % 4 == 0, length + STUNConstant.headerSize == bytes.count
        else {
            return nil
        }
        var attributes: [Attribute] = []
        var offset = STUNConstant.headerSize
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else {
                return nil
            }
            let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
            let valueLength = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            let valueStart = offset + 4
            guard valueStart + valueLength <= bytes.count else {
                return nil
            }
            attributes.append(Attribute(type: type, start: offset, value: valueStart..<(valueStart + valueLength)))
            offset = valueStart + ((valueLength + 3) & ~3)
        }
        self.bytes = bytes
        self.type = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        self.transactionID = bytes.withUnsafeBytes { TransactionID(from: $0, at: 8) }
        self.attributes = attributes
    }

    /// The value of the first attribute of `type`, if any.
    package func value(of type: UInt16) -> [UInt8]? {
        self.attributes.first { $0.type == type }.map { Array(self.bytes[$0.value]) }
    }

    /// The ERROR-CODE attribute (RFC 8489 §14.8): class × 100 + number, and the reason phrase.
    package var errorCode: (code: Int, reason: String)? {
        guard let value = self.value(of: STUNAttributeType.errorCode), value.count >= 4 else {
            return nil
        }
        let code = Int(value[2] & 0x07) * 100 + Int(value[3])
        return (code, String(decoding: value[4...], as: UTF8.self))
    }

    /// Whether the message has a MESSAGE-INTEGRITY that is the HMAC-SHA1 under `key` of the message up to it, with
    /// the length field rewritten to end just after it (RFC 8489 §14.5). Attributes after it (FINGERPRINT) are not
    /// covered.
    package func hasValidMessageIntegrity(key: [UInt8]) -> Bool {
        guard let attribute = self.attributes.first(where: { $0.type == STUNAttributeType.messageIntegrity }),
            attribute.value.count == 20
        else {
            return false
        }
        var covered = Array(self.bytes[0..<attribute.start])
        let length = UInt16(attribute.start + 24 - STUNConstant.headerSize)
        covered[2] = UInt8(length >> 8)
        covered[3] = UInt8(truncatingIfNeeded: length)
        // swift-crypto compares in constant time.
        return HMAC<Insecure.SHA1>.isValidAuthenticationCode(
            self.bytes[attribute.value],
            authenticating: covered,
            using: SymmetricKey(data: key)
        )
    }
}
