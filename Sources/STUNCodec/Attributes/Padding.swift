import NIOCore

/// RFC 5780 §7.6 PADDING: filler that makes a Binding request or response large enough to be fragmented, to see
/// how a NAT treats IP fragments. Its content means nothing; only its length does.
public struct Padding: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .padding }

    /// The length of the value in bytes. RFC 5780 §7.6 asks for a multiple of 4.
    public var length: Int

    /// Creates the attribute; a length that is not a multiple of 4 is rounded up to one.
    public init(length: Int) {
        self.length = (max(0, length) + 3) & ~3
    }

    /// Takes any length: the content is filler, and what a client sent must not stop the server from answering.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        self.length = value.readableBytes
    }

    /// Writes `length` zero bytes; ``STUNMessageWriter`` adds the TLV header.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        buffer.writeRepeatingByte(0, count: self.length)
    }
}
