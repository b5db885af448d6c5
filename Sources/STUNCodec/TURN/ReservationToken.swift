import NIOCore

/// RFC 8656 §18.10 RESERVATION-TOKEN: a token identifying a relayed address the server reserved (EVEN-PORT R bit).
public struct ReservationToken: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .reservationToken }

    /// The 8-byte token.
    public var token: UInt64

    /// The 8-byte token (same as ``token``).
    public var value: UInt64 {
        get { self.token }
        set { self.token = newValue }
    }

    /// Creates the attribute.
    public init(_ token: UInt64) {
        self.token = token
    }

    /// Rejects any length other than 8.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == MemoryLayout<UInt64>.size,
            let decoded = value.getInteger(at: value.readerIndex, as: UInt64.self)
        else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.token = decoded
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeInteger(self.token)
    }
}
