import NIOCore
import Testing

@testable import STUNCodec

/// MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT: the writer's length patching and the ordering rules
/// of RFC 8489 §14.5–§14.7 on the checking side.
@Suite struct MessageIntegrityTests {
    static let key = Array("secret key".utf8)
    static let transactionID = STUNTransactionID(Array(0..<12))

    enum Trailer: String, CaseIterable, Sendable {
        case messageIntegrity, messageIntegritySHA256, fingerprint
    }

    static let trailerCombinations: [[Trailer]] = [
        [.messageIntegrity],
        [.messageIntegritySHA256],
        [.fingerprint],
        [.messageIntegrity, .messageIntegritySHA256],
        [.messageIntegrity, .fingerprint],
        [.messageIntegritySHA256, .fingerprint],
        [.messageIntegrity, .messageIntegritySHA256, .fingerprint],
    ]

    static func write(_ trailers: [Trailer], padding: UInt8 = 0) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .allocate, messageClass: .request),
            transactionID: Self.transactionID,
            buffer: ByteBuffer()
        )
        writer.paddingByte = padding
        writer.append(Username("alice"))
        writer.append(RequestedTransport.udp)
        writer.append(Software("switchboard"))
        for trailer in trailers {
            switch trailer {
            case .messageIntegrity: writer.appendMessageIntegrity(key: Self.key)
            case .messageIntegritySHA256: writer.appendMessageIntegritySHA256(key: Self.key)
            case .fingerprint: writer.appendFingerprint()
            }
        }
        return writer.finish()
    }

    @Test(arguments: trailerCombinations)
    func writerProducesVerifiableTrailers(trailers: [Trailer]) throws {
        let buffer = Self.write(trailers)
        let message = try STUNMessage.decode(buffer)
        #expect(message.isMessageIntegrityValid(key: Self.key) == trailers.contains(.messageIntegrity))
        #expect(message.isMessageIntegritySHA256Valid(key: Self.key) == trailers.contains(.messageIntegritySHA256))
        #expect(message.isFingerprintValid() == trailers.contains(.fingerprint))
        #expect(message.hasFingerprint == trailers.contains(.fingerprint))
        #expect(!message.isMessageIntegrityValid(key: Array("other".utf8)))
        #expect(!message.isMessageIntegritySHA256Valid(key: Array("other".utf8)))
        // The header length always counts every attribute written.
        #expect(Int(buffer.getInteger(at: 2, as: UInt16.self)!) == buffer.readableBytes - 20)
    }

    @Test func paddingByteDoesNotMatterToTheReader() throws {
        let zeros = try STUNMessage.decode(Self.write([.messageIntegrity, .fingerprint], padding: 0x00))
        let spaces = try STUNMessage.decode(Self.write([.messageIntegrity, .fingerprint], padding: 0x20))
        #expect(try zeros.attribute(Software.self) == spaces.attribute(Software.self))
        #expect(spaces.isMessageIntegrityValid(key: Self.key))
        #expect(spaces.isFingerprintValid())
    }

    @Test(arguments: [16, 20, 24, 28, 32])
    func truncatedSHA256Verifies(length: Int) throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: ByteBuffer())
        writer.append(Username("bob"))
        writer.appendMessageIntegritySHA256(key: Self.key, length: length)
        let message = try STUNMessage.decode(writer.finish())
        #expect(message.rawAttribute(.messageIntegritySHA256)?.value.readableBytes == length)
        #expect(try message.attribute(MessageIntegritySHA256.self)?.hmac.count == length)
        #expect(message.isMessageIntegritySHA256Valid(key: Self.key))
        #expect(!message.isMessageIntegritySHA256Valid(key: Array("nope".utf8)))
    }

    @Test func attributeAfterMessageIntegrityInvalidatesIt() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: ByteBuffer())
        writer.append(Username("alice"))
        writer.appendMessageIntegrity(key: Self.key)
        writer.appendRaw(type: .software, value: ByteBuffer(string: "late"))
        let message = try STUNMessage.decode(writer.finish())
        #expect(!message.isMessageIntegrityValid(key: Self.key))
    }

    @Test func attributeAfterMessageIntegritySHA256InvalidatesIt() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: ByteBuffer())
        writer.append(Username("alice"))
        writer.appendMessageIntegritySHA256(key: Self.key)
        writer.appendRaw(type: .messageIntegrity, value: ByteBuffer(repeating: 0, count: 20))
        let message = try STUNMessage.decode(writer.finish())
        #expect(!message.isMessageIntegritySHA256Valid(key: Self.key))
    }

    @Test func fingerprintNotLastIsInvalid() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: ByteBuffer())
        writer.append(Username("alice"))
        writer.appendFingerprint()
        var buffer = writer.finish()
        // Append an attribute by hand after FINGERPRINT and fix the length.
        buffer.writeMultipleIntegers(STUNAttributeType.software.rawValue, UInt16(4), UInt32(0x6162_6364))
        buffer.setInteger(UInt16(buffer.readableBytes - 20), at: 2)
        let message = try STUNMessage.decode(buffer)
        #expect(message.hasFingerprint)
        #expect(!message.isFingerprintValid())
    }

    @Test func wrongLengthIntegrityValuesAreInvalidNotFatal() throws {
        for (type, length) in [
            (STUNAttributeType.messageIntegrity, 16), (.messageIntegrity, 32), (.messageIntegritySHA256, 12),
            (.messageIntegritySHA256, 36), (.messageIntegritySHA256, 18), (.fingerprint, 8),
        ] {
            var writer = STUNMessageWriter(
                type: .bindingRequest,
                transactionID: Self.transactionID,
                buffer: ByteBuffer()
            )
            writer.appendRaw(type: type, value: ByteBuffer(repeating: 0xAB, count: length))
            let message = try STUNMessage.decode(writer.finish())
            #expect(!message.isMessageIntegrityValid(key: Self.key))
            #expect(!message.isMessageIntegritySHA256Valid(key: Self.key))
            #expect(!message.isFingerprintValid())
            #expect(throws: STUNCodecError.invalidAttributeValue(type)) {
                switch type {
                case .messageIntegrity: _ = try message.attribute(MessageIntegrity.self)
                case .messageIntegritySHA256: _ = try message.attribute(MessageIntegritySHA256.self)
                default: _ = try message.attribute(Fingerprint.self)
                }
            }
        }
    }

    @Test func appendingAFingerprintValueClosesTheMessage() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: ByteBuffer())
        writer.append(Fingerprint(value: 0x1234_5678))
        let message = try STUNMessage.decode(writer.finish())
        #expect(try message.attribute(Fingerprint.self)?.value == 0x1234_5678)
        #expect(!message.isFingerprintValid())
    }

    @Test func inMemoryMessageHasNothingToVerify() {
        let message = STUNMessage(
            type: .bindingRequest,
            transactionID: Self.transactionID,
            attributes: [STUNRawAttribute(type: .fingerprint, value: ByteBuffer(repeating: 0, count: 4))]
        )
        #expect(message.hasFingerprint)
        #expect(!message.isFingerprintValid())
        #expect(!message.isMessageIntegrityValid(key: Self.key))
        #expect(!message.isMessageIntegritySHA256Valid(key: Self.key))
    }

    @Test func verifiesWhenTheBufferHasANonZeroReaderIndex() throws {
        var buffer = ByteBuffer(string: "prefix")
        buffer.moveReaderIndex(forwardBy: 6)
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: buffer)
        writer.append(Username("alice"))
        writer.appendMessageIntegrity(key: Self.key)
        writer.appendFingerprint()
        let encoded = writer.finish()
        #expect(encoded.readerIndex == 6)
        let message = try STUNMessage.decode(encoded)
        #expect(message.isMessageIntegrityValid(key: Self.key))
        #expect(message.isFingerprintValid())
    }

    @Test func writerAppendsAfterExistingBytes() throws {
        var buffer = ByteBuffer(string: "abcd")
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: Self.transactionID, buffer: buffer)
        writer.append(Username("alice"))
        writer.appendFingerprint()
        #expect(writer.messageLength == 20 + 12 + 8)
        buffer = writer.finish()
        #expect(buffer.readString(length: 4) == "abcd")
        let message = try STUNMessage.decode(buffer)
        #expect(try message.attribute(Username.self)?.value == "alice")
        #expect(message.isFingerprintValid())
    }

    @Test func constantTimeEquals() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), []))
        #expect(ConstantTime.equals(Array("abc".utf8), "abc".utf8))
    }
}
