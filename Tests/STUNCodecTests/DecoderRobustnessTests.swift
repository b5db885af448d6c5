import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// Malformed input: every rejection path of `STUNMessage.decode`, and a deterministic fuzz loop.
@Suite struct DecoderRobustnessTests {
    /// A message with the given body, its length field set to the body length unless `length` is given.
    static func message(
        body: [UInt8],
        length: Int? = nil,
        firstByte: UInt8 = 0x00,
        cookie: UInt32 = 0x2112_A442
    )
        -> ByteBuffer
    {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(firstByte, UInt8(0x01), UInt16(length ?? body.count), cookie)
        buffer.writeBytes(Array(0..<12))
        buffer.writeBytes(body)
        return buffer
    }

    @Test(arguments: 0..<20)
    func truncatedHeaders(length: Int) {
        let buffer = ByteBuffer(bytes: STUNVectors.sampleRequest.prefix(length))
        #expect(throws: STUNCodecError.truncatedHeader) {
            try STUNMessage.decode(buffer)
        }
    }

    @Test func truncatedVectorsFailWithLengthMismatch() {
        for length in 20..<STUNVectors.sampleRequest.count {
            let buffer = ByteBuffer(bytes: STUNVectors.sampleRequest.prefix(length))
            #expect(throws: STUNCodecError.lengthMismatch) {
                try STUNMessage.decode(buffer)
            }
        }
    }

    @Test func emptyMessageDecodes() throws {
        let message = try STUNMessage.decode(Self.message(body: []))
        #expect(message.attributes.isEmpty)
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID.bytes == Array(0..<12))
    }

    @Test func lengthFieldPastTheEnd() {
        #expect(throws: STUNCodecError.lengthMismatch) {
            try STUNMessage.decode(Self.message(body: [0, 0x25, 0, 0], length: 8))
        }
    }

    @Test func trailingBytesAfterTheMessage() {
        #expect(throws: STUNCodecError.lengthMismatch) {
            try STUNMessage.decode(Self.message(body: [0, 0x25, 0, 0, 1, 2, 3, 4], length: 4))
        }
    }

    @Test(arguments: [1, 2, 3, 5, 6, 7])
    func lengthNotAMultipleOfFour(length: Int) {
        #expect(throws: STUNCodecError.unalignedLength) {
            try STUNMessage.decode(Self.message(body: Array(repeating: 0, count: length)))
        }
    }

    @Test(arguments: [UInt8(0x40), 0x80, 0xC0, 0xFF])
    func topBitsSet(firstByte: UInt8) {
        #expect(throws: STUNCodecError.notSTUN) {
            try STUNMessage.decode(Self.message(body: [], firstByte: firstByte))
        }
    }

    @Test(arguments: [UInt32(0), 0x2112_A443, 0x4221_12A4])
    func wrongCookie(cookie: UInt32) {
        #expect(throws: STUNCodecError.badMagicCookie) {
            try STUNMessage.decode(Self.message(body: [], cookie: cookie))
        }
    }

    @Test func oddAttributeLengthWithPadding() throws {
        // SOFTWARE "hello" (5 bytes) + 3 padding bytes of arbitrary content, then PRIORITY.
        let body: [UInt8] =
            [0x80, 0x22, 0, 5] + Array("hello".utf8) + [0xAA, 0xBB, 0xCC] + [0, 0x24, 0, 4, 1, 2, 3, 4]
        let message = try STUNMessage.decode(Self.message(body: body))
        #expect(message.attributes.count == 2)
        #expect(try message.attribute(Software.self)?.value == "hello")
        #expect(message.rawAttribute(.software)?.value.readableBytes == 5)
        #expect(try message.attribute(Priority.self)?.value == 0x0102_0304)
    }

    @Test func oddAttributeLengthWithoutPadding() {
        // The message ends right after the 5 value bytes: its length cannot be a multiple of 4.
        let body: [UInt8] = [0x80, 0x22, 0, 5] + Array("hello".utf8)
        #expect(throws: STUNCodecError.unalignedLength) {
            try STUNMessage.decode(Self.message(body: body))
        }
        // Padding left out in the middle: the next attribute header is read 4-aligned, from inside the next one.
        let shifted: [UInt8] = [0x80, 0x22, 0, 5] + Array("hello".utf8) + [0, 0x24, 0, 4, 1, 2, 3]
        #expect(throws: STUNCodecError.attributeOverrun) {
            try STUNMessage.decode(Self.message(body: shifted))
        }
    }

    @Test func attributeValueOverrunsTheMessage() {
        #expect(throws: STUNCodecError.attributeOverrun) {
            try STUNMessage.decode(Self.message(body: [0x80, 0x22, 0, 8, 1, 2, 3, 4]))
        }
        #expect(throws: STUNCodecError.attributeOverrun) {
            try STUNMessage.decode(Self.message(body: [0x80, 0x22, 0xFF, 0xFF]))
        }
        // The second attribute's header fits, its single value byte does not.
        #expect(throws: STUNCodecError.attributeOverrun) {
            try STUNMessage.decode(Self.message(body: [0x00, 0x24, 0, 0, 0x80, 0x22, 0, 1]))
        }
    }

    @Test func zeroLengthAttributes() throws {
        let message = try STUNMessage.decode(Self.message(body: [0x00, 0x25, 0, 0, 0x00, 0x1A, 0, 0]))
        #expect(message.attributes.map(\.type) == [.useCandidate, .dontFragment])
        #expect(try message.attribute(UseCandidate.self) == UseCandidate())
    }

    @Test func duplicateAttributesFirstWins() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random(), buffer: ByteBuffer())
        writer.append(Software("first"))
        writer.append(Lifetime(seconds: 1))
        writer.append(Software("second"))
        writer.append(Lifetime(seconds: 2))
        let message = try STUNMessage.decode(writer.finish())
        #expect(try message.attribute(Software.self)?.value == "first")
        #expect(try message.attribute(Lifetime.self)?.seconds == 1)
        #expect(try message.attributes(Software.self).map(\.value) == ["first", "second"])
        #expect(message.rawAttribute(.software)?.value == ByteBuffer(string: "first"))
        #expect(message.attributes.count == 4)
    }

    @Test func malformedDuplicateAfterAValidFirstIsIgnored() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random(), buffer: ByteBuffer())
        writer.append(Lifetime(seconds: 1))
        writer.appendRaw(type: .lifetime, value: ByteBuffer(bytes: [1]))
        let message = try STUNMessage.decode(writer.finish())
        #expect(try message.attribute(Lifetime.self)?.seconds == 1)
        #expect(throws: STUNCodecError.invalidAttributeValue(.lifetime)) {
            try message.attributes(Lifetime.self)
        }
    }

    @Test func unknownComprehensionRequiredAttributes() throws {
        var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random(), buffer: ByteBuffer())
        writer.appendRaw(type: STUNAttributeType(rawValue: 0x7777), value: ByteBuffer())
        writer.append(Username("a"))
        writer.appendRaw(type: STUNAttributeType(rawValue: 0xC001), value: ByteBuffer())
        writer.appendRaw(type: STUNAttributeType(rawValue: 0x7777), value: ByteBuffer())
        writer.append(Priority(1))
        let message = try STUNMessage.decode(writer.finish())
        #expect(
            message.unknownComprehensionRequiredAttributes(understood: [.username])
                == [STUNAttributeType(rawValue: 0x7777), .priority]
        )
        #expect(
            message.unknownComprehensionRequiredAttributes(understood: [.username, .priority, .init(rawValue: 0x7777)])
                .isEmpty
        )
    }

    @Test func decodingAtANonZeroReaderIndex() throws {
        var buffer = ByteBuffer(bytes: [9, 9, 9] + STUNVectors.sampleIPv4Response)
        buffer.moveReaderIndex(forwardBy: 3)
        let message = try STUNMessage.decode(buffer)
        #expect(try message.attribute(XORMappedAddress.self)?.address.description == "192.0.2.1:32853")
        #expect(message.isFingerprintValid())
        #expect(message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }

    @Test func decodedValuesAreSlicesOfTheInput() throws {
        let buffer = ByteBuffer(bytes: STUNVectors.sampleRequest)
        let message = try STUNMessage.decode(buffer)
        let value = try #require(message.rawAttribute(.username)).value
        #expect(value.readableBytes == 9)
        value.withUnsafeReadableBytes { slice in
            buffer.withUnsafeReadableBytes { whole in
                #expect(
                    slice.baseAddress! >= whole.baseAddress! && slice.baseAddress! < whole.baseAddress! + whole.count
                )
            }
        }
    }

    // MARK: - Fuzzing

    /// Re-encodes a decoded message attribute by attribute and checks that it decodes to the same thing.
    static func checkReencoding(_ message: STUNMessage) throws {
        var writer = STUNMessageWriter(type: message.type, transactionID: message.transactionID, buffer: ByteBuffer())
        for attribute in message.attributes {
            writer.appendRaw(type: attribute.type, value: attribute.value)
        }
        let reencoded = writer.finish()
        let again = try STUNMessage.decode(reencoded)
        #expect(again.type == message.type)
        #expect(again.transactionID == message.transactionID)
        #expect(again.attributes == message.attributes)
    }

    /// Runs every typed decoder and every check on a decoded message; none may trap.
    static func exercise(_ message: STUNMessage) {
        _ = try? message.attribute(MappedAddress.self)
        _ = try? message.attributes(XORMappedAddress.self)
        _ = try? message.attributes(XORPeerAddress.self)
        _ = try? message.attribute(XORRelayedAddress.self)
        _ = try? message.attribute(AlternateServer.self)
        _ = try? message.attribute(Username.self)
        _ = try? message.attribute(Realm.self)
        _ = try? message.attribute(Nonce.self)
        _ = try? message.attribute(Software.self)
        _ = try? message.attribute(ErrorCodeAttribute.self)
        _ = try? message.attribute(UnknownAttributes.self)
        _ = try? message.attribute(MessageIntegrity.self)
        _ = try? message.attribute(MessageIntegritySHA256.self)
        _ = try? message.attribute(Fingerprint.self)
        _ = try? message.attribute(PasswordAlgorithm.self)
        _ = try? message.attribute(PasswordAlgorithms.self)
        _ = try? message.attribute(Userhash.self)
        _ = try? message.attribute(Priority.self)
        _ = try? message.attribute(ICEControlled.self)
        _ = try? message.attribute(ICEControlling.self)
        _ = try? message.attribute(ChangeRequest.self)
        _ = try? message.attribute(ChannelNumber.self)
        _ = try? message.attribute(Lifetime.self)
        _ = try? message.attribute(DataAttribute.self)
        _ = try? message.attribute(RequestedTransport.self)
        _ = try? message.attribute(DontFragment.self)
        _ = try? message.attribute(EvenPort.self)
        _ = try? message.attribute(ReservationToken.self)
        _ = try? message.attribute(RequestedAddressFamily.self)
        _ = try? message.attribute(AdditionalAddressFamily.self)
        _ = try? message.attribute(AddressErrorCode.self)
        _ = try? message.attribute(ICMP.self)
        _ = message.isFingerprintValid()
        _ = message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword)
        _ = message.isMessageIntegritySHA256Valid(key: STUNVectors.shortTermPassword)
        _ = message.unknownComprehensionRequiredAttributes(understood: [])
    }

    /// Known attribute types, so random attributes often hit a real decoder.
    static let knownTypes: [UInt16] = [
        0x0001, 0x0006, 0x0008, 0x0009, 0x000A, 0x000C, 0x000D, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017,
        0x0018, 0x0019, 0x001A, 0x001C, 0x001D, 0x001E, 0x0020, 0x0022, 0x0024, 0x0025, 0x8000, 0x8001, 0x8002,
        0x8003, 0x8004, 0x8022, 0x8023, 0x8028, 0x8029, 0x802A,
    ]

    static func randomBuffer(_ generator: inout SplitMix64) -> [UInt8] {
        let seeds = [
            STUNVectors.sampleRequest, STUNVectors.sampleIPv4Response, STUNVectors.sampleIPv6Response,
            STUNVectors.sampleLongTermRequest, STUNVectors.sha256LongTermRequest,
        ]
        switch Int.random(in: 0..<4, using: &generator) {
        case 0:
            // Pure noise, sometimes with a valid-looking first byte and cookie.
            var bytes = (0..<Int.random(in: 0..<64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            if bytes.count >= 8, Bool.random(using: &generator) {
                bytes[0] &= 0x03
                bytes.replaceSubrange(4..<8, with: [0x21, 0x12, 0xA4, 0x42])
            }
            return bytes
        case 1:
            // A vector with a few bytes mutated.
            var bytes = seeds.randomElement(using: &generator)!
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            return bytes
        case 2:
            // A vector truncated or extended, with the length field sometimes patched to match.
            var bytes = seeds.randomElement(using: &generator)!
            if Bool.random(using: &generator) {
                bytes.removeLast(Int.random(in: 0...min(bytes.count, 24), using: &generator))
            } else {
                bytes += (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                    UInt8.random(in: 0...255, using: &generator)
                }
            }
            if bytes.count >= 20, Bool.random(using: &generator) {
                let length = UInt16(truncatingIfNeeded: bytes.count - 20)
                bytes[2] = UInt8(length >> 8)
                bytes[3] = UInt8(length & 0xFF)
            }
            return bytes
        default:
            // A valid header with random TLVs (known types, random lengths and values), length patched.
            var body = [UInt8]()
            for _ in 0..<Int.random(in: 0...6, using: &generator) {
                let type =
                    Bool.random(using: &generator)
                    ? knownTypes.randomElement(using: &generator)! : UInt16.random(in: 0...0xFFFF, using: &generator)
                let length = Int.random(in: 0...40, using: &generator)
                body += [UInt8(type >> 8), UInt8(type & 0xFF), 0, UInt8(length)]
                body += (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
                body += Array(repeating: 0, count: (4 - length % 4) % 4)
            }
            var bytes: [UInt8] = [
                UInt8.random(in: 0...3, using: &generator), UInt8.random(in: 0...255, using: &generator),
            ]
            bytes += [UInt8(body.count >> 8), UInt8(body.count & 0xFF), 0x21, 0x12, 0xA4, 0x42]
            bytes += (0..<12).map { _ in UInt8.random(in: 0...255, using: &generator) }
            return bytes + body
        }
    }

    @Test func fuzzDecodeNeverTraps() throws {
        var generator = SplitMix64(seed: 0x5354_554E)
        var decoded = 0
        for _ in 0..<20_000 {
            let bytes = Self.randomBuffer(&generator)
            let buffer = ByteBuffer(bytes: bytes)
            _ = PacketDemultiplexer.classify(buffer)
            _ = PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: true)
            _ = PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: false)
            _ = try? ChannelData.decode(buffer)
            guard let message = try? STUNMessage.decode(buffer) else {
                continue
            }
            decoded += 1
            Self.exercise(message)
            try Self.checkReencoding(message)
        }
        // The generator must actually reach the attribute decoders, not just the header checks.
        #expect(decoded > 5_000)
    }
}
