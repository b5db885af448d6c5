import Crypto

/// Writes one STUN message attribute by attribute, keeping the header's length field current (RFC 8489 §5, §14).
package struct STUNMessageBuilder {
    /// The message so far.
    package private(set) var bytes: [UInt8]

    /// Starts a message of `type` with transaction id `transactionID` and no attributes.
    package init(type: UInt16, transactionID: TransactionID) {
        self.bytes = [UInt8](repeating: 0, count: STUNConstant.headerSize)
        self.bytes.withUnsafeMutableBytes { header in
            header.storeBytes(of: type.bigEndian, toByteOffset: 0, as: UInt16.self)
            header.storeBytes(of: STUNConstant.magicCookie.bigEndian, toByteOffset: 4, as: UInt32.self)
            transactionID.write(to: header, at: 8)
        }
    }

    /// Appends an attribute, padded with zeros to a multiple of 4 bytes.
    package mutating func append(_ type: UInt16, value: [UInt8]) {
        self.appendUInt16(type)
        self.appendUInt16(UInt16(value.count))
        self.bytes += value
        self.bytes += [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
        self.updateLength()
    }

    /// Appends MESSAGE-INTEGRITY: HMAC-SHA1 under `key` of the message so far, its length field already counting
    /// the attribute (RFC 8489 §14.5).
    package mutating func appendMessageIntegrity(key: [UInt8]) {
        let start = self.bytes.count
        self.appendUInt16(STUNAttributeType.messageIntegrity)
        self.appendUInt16(20)
        self.bytes += [UInt8](repeating: 0, count: 20)
        self.updateLength()
        let code = HMAC<Insecure.SHA1>.authenticationCode(for: self.bytes[0..<start], using: SymmetricKey(data: key))
        self.bytes.replaceSubrange((start + 4)..<(start + 24), with: Array(code))
    }

    private mutating func appendUInt16(_ value: UInt16) {
        self.bytes.append(UInt8(value >> 8))
        self.bytes.append(UInt8(truncatingIfNeeded: value))
    }

    private mutating func updateLength() {
        let length = UInt16(self.bytes.count - STUNConstant.headerSize)
        self.bytes[2] = UInt8(length >> 8)
        self.bytes[3] = UInt8(truncatingIfNeeded: length)
    }
}
