import NIOCore

/// RFC 8489 §14.12 PASSWORD-ALGORITHM: the algorithm (and its parameters) the client chose for the long-term key.
/// Also one entry of PASSWORD-ALGORITHMS (RFC 8489 §14.11).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          Algorithm            |  Algorithm Parameters Length  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                    Algorithm Parameters (variable, padded to 4)
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct PasswordAlgorithm: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .passwordAlgorithm }

    /// The algorithm.
    public var algorithm: STUNPasswordAlgorithm
    /// The algorithm parameters (none for MD5 and SHA-256).
    public var parameters: [UInt8]

    /// Creates the attribute.
    public init(algorithm: STUNPasswordAlgorithm, parameters: [UInt8] = []) {
        self.algorithm = algorithm
        self.parameters = parameters
    }

    /// Rejects a value shorter than 4 bytes or parameters running past it.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        var value = value
        guard let entry = Self.read(from: &value) else {
            throw .invalidAttributeValue(Self.attributeType)
        }
        self = entry
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        self.write(into: &buffer)
    }

    /// Reads one algorithm entry and its padding; `nil` if truncated.
    static func read(from buffer: inout ByteBuffer) -> PasswordAlgorithm? {
        let saved = buffer
        guard let (algorithm, length) = buffer.readMultipleIntegers(as: (UInt16, UInt16).self),
            let parameters = buffer.readBytes(length: Int(length))
        else {
            buffer = saved
            return nil
        }
        // The padding may be missing after the last entry of a value.
        buffer.moveReaderIndex(
            forwardBy: min(STUNMessage.paddedLength(Int(length)) - Int(length), buffer.readableBytes)
        )
        return PasswordAlgorithm(algorithm: STUNPasswordAlgorithm(rawValue: algorithm), parameters: parameters)
    }

    /// Writes the entry, padding the parameters with zeros to a multiple of 4.
    func write(into buffer: inout ByteBuffer) {
        precondition(self.parameters.count <= Int(UInt16.max), "password algorithm parameters too long")
        buffer.writeMultipleIntegers(self.algorithm.rawValue, UInt16(self.parameters.count))
        buffer.writeBytes(self.parameters)
        let padding = STUNMessage.paddedLength(self.parameters.count) - self.parameters.count
        buffer.writeRepeatingByte(0, count: padding)
    }
}
