import NIOCore
import Testing

@testable import STUNCodec

/// The largest message STUN's 16-bit length allows, 64 KiB with 16,383 empty attributes, through every per-attribute
/// path a server runs on a request: decoding, the checks, and the 420 answer's UNKNOWN-ATTRIBUTES list.
@Suite struct LargeMessageTests {
    /// The most attributes one message can hold: (65535 rounded down to 4) / 4 bytes of TLV header each.
    static let maxAttributeCount = 16_383

    /// A request holding `types` as empty attributes, in order.
    static func request(types: [STUNAttributeType]) throws -> STUNMessage {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random(), buffer: ByteBuffer())
        for type in types {
            writer.appendRaw(type: type, value: ByteBuffer())
        }
        let bytes = writer.finish()
        #expect(bytes.readableBytes == STUNMessage.headerLength + 4 * types.count)
        return try STUNMessage.decode(bytes)
    }

    @Test func sixteenThousandDistinctUnknownAttributes() throws {
        // 0x0100... upwards: all comprehension-required, none known.
        let types = (0..<Self.maxAttributeCount).map { STUNAttributeType(rawValue: UInt16(0x0100 + $0)) }
        let message = try Self.request(types: types)
        #expect(message.attributes.count == Self.maxAttributeCount)
        #expect(message.unknownComprehensionRequiredAttributes(understood: [.username]) == types)
        #expect(!message.isFingerprintValid())
        #expect(!message.isMessageIntegrityValid(key: [1, 2, 3]))
    }

    @Test func sixteenThousandAttributesWithDuplicatesListEachTypeOnce() throws {
        // 1,000 unknown types repeated in a cycle, every fifth slot an understood or comprehension-optional type.
        let understood: Set<STUNAttributeType> = [.username, .priority]
        let types = (0..<Self.maxAttributeCount).map { index -> STUNAttributeType in
            switch index % 5 {
            case 0: return .username
            case 1: return STUNAttributeType(rawValue: 0x8000 | UInt16(index % 700))
            default: return STUNAttributeType(rawValue: UInt16(0x2000 + index / 5 % 1000))
            }
        }
        let message = try Self.request(types: types)
        var expected: [STUNAttributeType] = []
        var seen = Set<UInt16>()
        for type in types where type.isComprehensionRequired && !understood.contains(type) {
            if seen.insert(type.rawValue).inserted {
                expected.append(type)
            }
        }
        #expect(expected.count == 1000)
        #expect(message.unknownComprehensionRequiredAttributes(understood: understood) == expected)
    }

    @Test func unknownAttributesAnswerForTheLargestRequestRoundTrips() throws {
        let types = (0..<Self.maxAttributeCount).map { STUNAttributeType(rawValue: UInt16(0x4000 + $0)) }
        let unknown = try Self.request(types: types).unknownComprehensionRequiredAttributes(understood: [])
        var writer = STUNMessageWriter(type: .bindingErrorResponse, transactionID: .random(), buffer: ByteBuffer())
        writer.append(UnknownAttributes(types: unknown))
        writer.appendFingerprint()
        let response = try STUNMessage.decode(writer.finish())
        #expect(response.isFingerprintValid())
        #expect(try response.attribute(UnknownAttributes.self)?.types == types)
    }
}
