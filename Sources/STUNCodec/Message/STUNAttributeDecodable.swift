import NIOCore

/// A typed attribute that can be read from a decoded message. RFC 8489 §14.
///
/// ```swift
/// let lifetime = try message.attribute(Lifetime.self)
/// let peers = try message.attributes(XORPeerAddress.self)
/// ```
public protocol STUNAttributeDecodable {
    /// The attribute type this decoder reads.
    static var attributeType: STUNAttributeType { get }

    /// Decodes the attribute from its value bytes (no TLV header, no padding).
    ///
    /// - Parameters:
    ///   - value: the value bytes, a slice of the message buffer.
    ///   - transactionID: the message's transaction ID, for XOR-coded addresses.
    /// - Throws: ``STUNCodecError`` when the value is malformed; never traps on any input.
    init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError)
}
