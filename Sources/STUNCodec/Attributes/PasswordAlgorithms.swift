import NIOCore

/// RFC 8489 §14.11 PASSWORD-ALGORITHMS: the algorithms a server supports, in order of preference, each an
/// algorithm number, a parameters length and padded parameters.
public struct PasswordAlgorithms: STUNAttributeDecodable, STUNAttributeEncodable, Hashable, Sendable {
    /// The attribute type this codec reads and writes.
    public static var attributeType: STUNAttributeType { .passwordAlgorithms }

    /// The algorithms, in order of preference.
    public var algorithms: [PasswordAlgorithm]

    /// Creates the attribute.
    public init(_ algorithms: [PasswordAlgorithm]) {
        self.algorithms = algorithms
    }

    /// Rejects a truncated entry.
    public init(decoding value: ByteBuffer, transactionID: STUNTransactionID) throws(STUNCodecError) {
        var value = value
        var algorithms = [PasswordAlgorithm]()
        while value.readableBytes > 0 {
            guard let entry = PasswordAlgorithm.read(from: &value) else {
                throw .invalidAttributeValue(Self.attributeType)
            }
            algorithms.append(entry)
        }
        self.algorithms = algorithms
    }

    /// Writes the value bytes; ``STUNMessageWriter`` adds the TLV header and the padding.
    public func encode(into buffer: inout ByteBuffer, transactionID: STUNTransactionID) {
        for algorithm in self.algorithms {
            algorithm.write(into: &buffer)
        }
    }
}
