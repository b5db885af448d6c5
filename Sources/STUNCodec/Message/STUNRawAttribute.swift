import NIOCore

/// One attribute of a decoded message, undecoded: its type and its value bytes. RFC 8489 §14.
///
/// `value` is a slice of the received buffer (no copy) and excludes the padding to a multiple of 4.
public struct STUNRawAttribute: Sendable {
    /// The attribute type.
    public var type: STUNAttributeType
    /// The value bytes, without padding.
    public var value: ByteBuffer

    /// Creates a raw attribute.
    @inlinable
    public init(type: STUNAttributeType, value: ByteBuffer) {
        self.type = type
        self.value = value
    }
}

extension STUNRawAttribute: Hashable {}
