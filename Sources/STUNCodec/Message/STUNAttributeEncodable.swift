import NIOCore

/// A typed attribute that ``STUNMessageWriter`` can append to a message. RFC 8489 §14.
public protocol STUNAttributeEncodable {
    /// The attribute type written in the TLV header.
    static var attributeType: STUNAttributeType { get }

    /// Writes the attribute value only; the writer writes the type/length header and the padding.
    ///
    /// - Parameters:
    ///   - buffer: the buffer to append the value to.
    ///   - transactionID: the message's transaction ID, for XOR-coded addresses.
    func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID)
}
