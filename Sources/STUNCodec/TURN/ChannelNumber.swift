import NIOCore

/// RFC 8656 §18.1 CHANNEL-NUMBER: the channel a ChannelBind request binds, followed by 16 RFFU bits.
///
/// Decoding accepts any number; check ``isValid`` (0x4000–0x4FFF, RFC 8656 §12) and answer 400 otherwise.
public struct ChannelNumber: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .channelNumber }

    /// The channel numbers a client may bind. RFC 8656 §12.
    public static let validRange: ClosedRange<UInt16> = 0x4000...0x4FFF

    /// RFC 5766 §11's older, wider range, 0x4000–0x7FFF, which RFC 5766 clients (coturn's `turnutils_uclient`
    /// among them) still pick channel numbers from. RFC 8656 §12 reserves 0x5000–0x7FFF; servers that must serve
    /// such clients accept it, as coturn does.
    public static let rfc5766Range: ClosedRange<UInt16> = 0x4000...0x7FFF

    /// The channel number.
    public var number: UInt16

    /// The channel number (same as ``number``).
    public var value: UInt16 {
        get { self.number }
        set { self.number = newValue }
    }

    /// Creates the attribute.
    public init(_ number: UInt16) {
        self.number = number
    }

    /// Whether the number is in 0x4000–0x4FFF. RFC 8656 §12.
    public var isValid: Bool {
        Self.validRange.contains(self.number)
    }

    /// Rejects any length other than 4; ignores the RFFU bits.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        guard value.readableBytes == 4, let number = value.getInteger(at: value.readerIndex, as: UInt16.self) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self.number = number
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeMultipleIntegers(self.number, UInt16(0))
    }
}
