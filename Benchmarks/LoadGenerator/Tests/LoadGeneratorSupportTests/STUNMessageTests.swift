import Crypto
import LoadGeneratorSupport
import Testing

/// The STUN message builder and view against RFC 5769, and the XOR address codec.
@Suite struct STUNMessageTests {
    /// RFC 5769 §2.4: request with long-term authentication (USERNAME, NONCE, REALM, MESSAGE-INTEGRITY).
    static let longTermRequest = hexBytes(
        """
        00010060 2112a442 78ad3433c6ad72c029da412e
        00060012 e3839ee38388e383aae38383e382afe382b9 0000
        0015001c 662f2f3439396b39353464364f4c33346f4c39465354767936347341
        0014000b 6578616d706c652e6f7267 00
        00080014 f67024656dd64a3e02b8e0712e85c9a28ca89666
        """
    )

    /// RFC 5769 §2.2: IPv4 Binding success response with SOFTWARE, XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY (short-term
    /// password `VOkJxbRl1RmTxUk/WvJxBt`) and FINGERPRINT.
    static let ipv4Response = hexBytes(
        """
        0101003c 2112a442 b7e7a701bc34d686fa87dfae
        8022000b 7465737420766563746f72 20
        00200008 0001a147e112a643
        00080014 2b91f599fd9e90c38c7489f92af9ba53f06be7d7
        80280004 c07d4c96
        """
    )

    /// The long-term key of §2.4 is MD5 of `username:realm:password` after SASLprep ("TheMatrIX").
    static let longTermKey = Array(Insecure.MD5.hash(data: Array("マトリックス:example.org:TheMatrIX".utf8)))

    @Test func longTermKeyMatchesRFC5769() {
        #expect(hexString(Self.longTermKey) == "e8ca7ad59d5eb0518e312911d2dab2a9")
    }

    @Test func builderReproducesLongTermRequest() {
        let id = hexBytes("78ad3433c6ad72c029da412e").withUnsafeBytes { TransactionID(from: $0, at: 0) }
        var builder = STUNMessageBuilder(type: 0x0001, transactionID: id)
        builder.append(STUNAttributeType.username, value: Array("マトリックス".utf8))
        builder.append(STUNAttributeType.nonce, value: Array("f//499k954d6OL34oL9FSTvy64sA".utf8))
        builder.append(STUNAttributeType.realm, value: Array("example.org".utf8))
        builder.appendMessageIntegrity(key: Self.longTermKey)
        #expect(hexString(builder.bytes) == hexString(Self.longTermRequest))
    }

    @Test func viewChecksLongTermIntegrity() throws {
        let message = try #require(STUNMessageView(Self.longTermRequest))
        #expect(message.type == 0x0001)
        #expect(message.value(of: STUNAttributeType.realm) == Array("example.org".utf8))
        #expect(message.hasValidMessageIntegrity(key: Self.longTermKey))
        var tampered = Self.longTermRequest
        tampered[30] ^= 0x01
        #expect(try #require(STUNMessageView(tampered)).hasValidMessageIntegrity(key: Self.longTermKey) == false)
    }

    /// MESSAGE-INTEGRITY followed by FINGERPRINT: the integrity covers neither FINGERPRINT nor its length.
    @Test func viewChecksIntegrityBeforeFingerprint() throws {
        let message = try #require(STUNMessageView(Self.ipv4Response))
        #expect(message.hasValidMessageIntegrity(key: Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)))
        #expect(message.hasValidMessageIntegrity(key: Array("VOkJxbRl1RmTxUk/WvJxBT".utf8)) == false)
        let mapped = try #require(message.value(of: STUNAttributeType.xorMappedAddress))
        let address = try #require(XORAddress.decodeIPv4(mapped))
        #expect(XORAddress.describe(address: address.address, port: address.port) == "192.0.2.1:32853")
    }

    @Test func viewRejectsInconsistentLengths() {
        #expect(STUNMessageView(Array(Self.ipv4Response.dropLast())) == nil)
        var wrongLength = Self.ipv4Response
        wrongLength[3] = 0x38
        #expect(STUNMessageView(wrongLength) == nil)
    }

    @Test func errorCodeIsDecoded() throws {
        var builder = STUNMessageBuilder(
            type: STUNMessageType.allocateError,
            transactionID: TransactionID(high: 1, low: 2)
        )
        builder.append(STUNAttributeType.errorCode, value: [0, 0, 4, 1] + Array("Unauthorized".utf8))
        let error = try #require(STUNMessageView(builder.bytes)?.errorCode)
        #expect(error.code == 401)
        #expect(error.reason == "Unauthorized")
    }

    @Test func xorAddressRoundTrips() throws {
        let value = XORAddress.encodeIPv4(address: 0x7F00_0001, port: 3480)
        #expect(hexString(value) == "0001" + "2c8a" + "5e12a443")
        let decoded = try #require(XORAddress.decodeIPv4(value))
        #expect(decoded.address == 0x7F00_0001)
        #expect(decoded.port == 3480)
    }
}
