import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// RFC 5769 "Test Vectors for Session Traversal Utilities for NAT (STUN)": each sample message is decoded and
/// checked attribute by attribute, then rebuilt with the writer and compared byte for byte.
@Suite struct RFC5769VectorTests {
    // MARK: - §2.1 Sample Request

    @Test func sampleRequestDecodes() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sampleRequest))
        #expect(message.type == STUNMessageType(method: .binding, messageClass: .request))
        #expect(message.transactionID == STUNVectors.responseTransactionID)
        #expect(
            message.attributes.map(\.type) == [
                .software, .priority, .iceControlled, .username, .messageIntegrity, .fingerprint,
            ]
        )
        #expect(try message.attribute(Software.self)?.value == "STUN test client")
        #expect(try message.attribute(Priority.self)?.value == 0x6E00_01FF)
        #expect(try message.attribute(ICEControlled.self)?.tieBreaker == 0x932F_F9B1_5126_3B36)
        #expect(try message.attribute(Username.self)?.value == "evtj:h6vY")
        #expect(
            try message.attribute(MessageIntegrity.self)?.hmac == hexBytes("9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2")
        )
        #expect(try message.attribute(Fingerprint.self)?.value == 0xE57A_3BCF)
        #expect(message.hasFingerprint)
        #expect(message.isFingerprintValid())
        #expect(message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
        #expect(!message.isMessageIntegrityValid(key: Array("wrong password".utf8)))
        #expect(
            message.unknownComprehensionRequiredAttributes(understood: [.username, .messageIntegrity]) == [.priority]
        )
    }

    @Test func sampleRequestEncodes() {
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: STUNVectors.responseTransactionID,
            buffer: ByteBuffer()
        )
        writer.paddingByte = 0x20
        writer.append(Software("STUN test client"))
        writer.append(Priority(0x6E00_01FF))
        writer.append(ICEControlled(tieBreaker: 0x932F_F9B1_5126_3B36))
        writer.append(Username("evtj:h6vY"))
        writer.appendMessageIntegrity(key: STUNVectors.shortTermPassword)
        writer.appendFingerprint()
        let encoded = writer.finish()
        #expect(hexString(encoded.readableBytesView) == hexString(STUNVectors.sampleRequest))
    }

    // MARK: - §2.2 Sample IPv4 Response

    @Test func sampleIPv4ResponseDecodes() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sampleIPv4Response))
        #expect(message.type == .bindingSuccessResponse)
        #expect(message.transactionID == STUNVectors.responseTransactionID)
        #expect(message.attributes.map(\.type) == [.software, .xorMappedAddress, .messageIntegrity, .fingerprint])
        #expect(try message.attribute(Software.self)?.value == "test vector")
        let address = try #require(try message.attribute(XORMappedAddress.self)).address
        #expect(address == TransportAddress(ip: .v4(0xC000_0201), port: 32853))
        #expect(address.description == "192.0.2.1:32853")
        #expect(
            try message.attribute(MessageIntegrity.self)?.hmac == hexBytes("2b91f599fd9e90c38c7489f92af9ba53f06be7d7")
        )
        #expect(try message.attribute(Fingerprint.self)?.value == 0xC07D_4C96)
        #expect(message.isFingerprintValid())
        #expect(message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }

    @Test func sampleIPv4ResponseEncodes() {
        var writer = STUNMessageWriter(
            type: .bindingSuccessResponse,
            transactionID: STUNVectors.responseTransactionID,
            buffer: ByteBuffer()
        )
        writer.paddingByte = 0x20
        writer.append(Software("test vector"))
        writer.append(XORMappedAddress(address: TransportAddress(ip: .v4(0xC000_0201), port: 32853)))
        writer.appendMessageIntegrity(key: STUNVectors.shortTermPassword)
        writer.appendFingerprint()
        #expect(hexString(writer.finish().readableBytesView) == hexString(STUNVectors.sampleIPv4Response))
    }

    // MARK: - §2.3 Sample IPv6 Response

    static let ipv6Address = TransportAddress(
        ip: .v6(0x2001_0DB8_1234_5678, 0x0011_2233_4455_6677),
        port: 32853
    )

    @Test func sampleIPv6ResponseDecodes() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sampleIPv6Response))
        #expect(message.type == .bindingSuccessResponse)
        #expect(message.transactionID == STUNVectors.responseTransactionID)
        #expect(message.attributes.map(\.type) == [.software, .xorMappedAddress, .messageIntegrity, .fingerprint])
        #expect(try message.attribute(Software.self)?.value == "test vector")
        let address = try #require(try message.attribute(XORMappedAddress.self)).address
        #expect(address == Self.ipv6Address)
        #expect(address.description == "[2001:db8:1234:5678:11:2233:4455:6677]:32853")
        #expect(
            try message.attribute(MessageIntegrity.self)?.hmac == hexBytes("a382954e4be67bf11784c97c8292c275bfe3ed41")
        )
        #expect(try message.attribute(Fingerprint.self)?.value == 0xC8FB_0B4C)
        #expect(message.isFingerprintValid())
        #expect(message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }

    @Test func sampleIPv6ResponseEncodes() {
        var writer = STUNMessageWriter(
            type: .bindingSuccessResponse,
            transactionID: STUNVectors.responseTransactionID,
            buffer: ByteBuffer()
        )
        writer.paddingByte = 0x20
        writer.append(Software("test vector"))
        writer.append(XORMappedAddress(address: Self.ipv6Address))
        writer.appendMessageIntegrity(key: STUNVectors.shortTermPassword)
        writer.appendFingerprint()
        #expect(hexString(writer.finish().readableBytesView) == hexString(STUNVectors.sampleIPv6Response))
    }

    // MARK: - §2.4 Sample Request with Long-Term Authentication

    @Test func longTermKeyMatchesRFC() {
        #expect(SASLprep.prepare(STUNVectors.longTermPassword) == "TheMatrIX")
        let key = LongTermCredentials.key(
            username: STUNVectors.longTermUsername,
            realm: "example.org",
            password: STUNVectors.longTermPassword
        )
        #expect(hexString(key) == "e8ca7ad59d5eb0518e312911d2dab2a9")
        // The already-prepared password gives the same key.
        #expect(
            key
                == LongTermCredentials.key(
                    username: STUNVectors.longTermUsername,
                    realm: "example.org",
                    password: "TheMatrIX"
                )
        )
    }

    @Test func sampleLongTermRequestDecodes() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sampleLongTermRequest))
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID == STUNVectors.longTermTransactionID)
        #expect(message.attributes.map(\.type) == [.username, .nonce, .realm, .messageIntegrity])
        #expect(try message.attribute(Username.self)?.value == STUNVectors.longTermUsername)
        #expect(try message.attribute(Username.self)?.value.utf8.count == 18)
        #expect(try message.attribute(Nonce.self)?.value == "f//499k954d6OL34oL9FSTvy64sA")
        #expect(try message.attribute(Realm.self)?.value == "example.org")
        #expect(
            try message.attribute(MessageIntegrity.self)?.hmac == hexBytes("f67024656dd64a3e02b8e0712e85c9a28ca89666")
        )
        #expect(!message.hasFingerprint)
        #expect(!message.isFingerprintValid())
        let key = LongTermCredentials.key(
            username: STUNVectors.longTermUsername,
            realm: "example.org",
            password: STUNVectors.longTermPassword
        )
        #expect(message.isMessageIntegrityValid(key: key))
        #expect(!message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }

    @Test func sampleLongTermRequestEncodes() {
        let key = LongTermCredentials.key(
            username: STUNVectors.longTermUsername,
            realm: "example.org",
            password: STUNVectors.longTermPassword
        )
        // This vector pads with 0x00, unlike §2.1–§2.3.
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: STUNVectors.longTermTransactionID,
            buffer: ByteBuffer()
        )
        writer.append(Username(STUNVectors.longTermUsername))
        writer.append(Nonce("f//499k954d6OL34oL9FSTvy64sA"))
        writer.append(Realm("example.org"))
        writer.appendMessageIntegrity(key: key)
        #expect(hexString(writer.finish().readableBytesView) == hexString(STUNVectors.sampleLongTermRequest))
    }

    // MARK: - Negative tests (as coturn's rfc5769check does)

    static let fingerprintedVectors = [
        STUNVectors.sampleRequest, STUNVectors.sampleIPv4Response, STUNVectors.sampleIPv6Response,
    ]

    @Test(arguments: fingerprintedVectors)
    func flippingAByteBreaksIntegrityAndFingerprint(vector: [UInt8]) throws {
        // Every byte after the header's type/length, up to the end of the MESSAGE-INTEGRITY value, is covered by
        // both MESSAGE-INTEGRITY and FINGERPRINT.
        let integrityEnd = vector.count - 8
        for index in 0..<integrityEnd {
            var corrupted = vector
            corrupted[index] ^= 0x01
            guard let message = try? STUNMessage.decode(ByteBuffer(bytes: corrupted)) else {
                continue  // e.g. a corrupted attribute length; rejecting is also a failure to verify
            }
            #expect(!message.isFingerprintValid(), "byte \(index)")
            #expect(!message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword), "byte \(index)")
        }
    }

    @Test func coturnNegativeFingerprintTest() throws {
        var corrupted = STUNVectors.sampleRequest
        corrupted[27] = 23
        let message = try STUNMessage.decode(ByteBuffer(bytes: corrupted))
        #expect(!message.isFingerprintValid())
        #expect(!message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }

    @Test func coturnNegativeLongTermTest() throws {
        var corrupted = STUNVectors.sampleLongTermRequest
        corrupted[32] = 10
        let message = try STUNMessage.decode(ByteBuffer(bytes: corrupted))
        let key = LongTermCredentials.key(
            username: STUNVectors.longTermUsername,
            realm: "example.org",
            password: STUNVectors.longTermPassword
        )
        #expect(!message.isMessageIntegrityValid(key: key))
    }

    @Test func flippingTheFingerprintValueBreaksOnlyTheFingerprint() throws {
        var corrupted = STUNVectors.sampleRequest
        corrupted[corrupted.count - 1] ^= 0xFF
        let message = try STUNMessage.decode(ByteBuffer(bytes: corrupted))
        #expect(!message.isFingerprintValid())
        #expect(message.isMessageIntegrityValid(key: STUNVectors.shortTermPassword))
    }
}
