import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// RFC 8489 Appendix B.1 (with erratum 6268): long-term authentication with USERHASH, PASSWORD-ALGORITHM and
/// MESSAGE-INTEGRITY-SHA256.
@Suite struct RFC8489VectorTests {
    static let nonce = "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"

    static var key: [UInt8] {
        // RFC 8489 B.1 gives the password as it is after OpaqueString processing.
        LongTermCredentials.sha256Key(
            username: STUNVectors.longTermUsername,
            realm: "example.org",
            password: "TheMatrIX"
        )
    }

    @Test func userhashMatches() {
        let hash = LongTermCredentials.userhash(username: STUNVectors.longTermUsername, realm: "example.org")
        #expect(hexString(hash) == "4a3cf38fef6992bda952c6780417da0f24819415569e60b205c46e41407f1704")
    }

    @Test func decodes() throws {
        let message = try STUNMessage.decode(ByteBuffer(bytes: STUNVectors.sha256LongTermRequest))
        #expect(STUNVectors.sha256LongTermRequest.count == 164)
        #expect(message.type == .bindingRequest)
        #expect(message.transactionID == STUNVectors.longTermTransactionID)
        #expect(
            message.attributes.map(\.type) == [
                .userhash, .nonce, .realm, .passwordAlgorithm, .messageIntegritySHA256,
            ]
        )
        #expect(
            try message.attribute(Userhash.self)?.hash
                == LongTermCredentials.userhash(username: STUNVectors.longTermUsername, realm: "example.org")
        )
        #expect(try message.attribute(Nonce.self)?.value == Self.nonce)
        #expect(try message.attribute(Realm.self)?.value == "example.org")
        #expect(try message.attribute(PasswordAlgorithm.self) == PasswordAlgorithm(algorithm: .sha256))
        #expect(
            try message.attribute(MessageIntegritySHA256.self)?.hmac
                == hexBytes("b5c7bf005b6c52a21c51c5e892f81924136296cb927c43149309278cc6518e65")
        )
        #expect(message.isMessageIntegritySHA256Valid(key: Self.key))
        #expect(!message.isMessageIntegritySHA256Valid(key: STUNVectors.shortTermPassword))
        #expect(!message.isMessageIntegrityValid(key: Self.key))
        #expect(!message.hasFingerprint)
    }

    @Test func encodes() {
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: STUNVectors.longTermTransactionID,
            buffer: ByteBuffer()
        )
        writer.append(
            Userhash(hash: LongTermCredentials.userhash(username: STUNVectors.longTermUsername, realm: "example.org"))
        )
        writer.append(Nonce(Self.nonce))
        writer.append(Realm("example.org"))
        writer.append(PasswordAlgorithm(algorithm: .sha256))
        writer.appendMessageIntegritySHA256(key: Self.key)
        #expect(hexString(writer.finish().readableBytesView) == hexString(STUNVectors.sha256LongTermRequest))
    }

    @Test func algorithmSelectsKey() {
        #expect(
            LongTermCredentials.key(
                username: STUNVectors.longTermUsername,
                realm: "example.org",
                password: "TheMatrIX",
                algorithm: .sha256
            ) == Self.key
        )
        #expect(
            LongTermCredentials.key(
                username: STUNVectors.longTermUsername,
                realm: "example.org",
                password: STUNVectors.longTermPassword,
                algorithm: .md5
            ).map(hexString) == "e8ca7ad59d5eb0518e312911d2dab2a9"
        )
        #expect(
            LongTermCredentials.key(
                username: "u",
                realm: "r",
                password: "p",
                algorithm: STUNPasswordAlgorithm(rawValue: 9)
            ) == nil
        )
    }

    @Test func flippingAByteBreaksSHA256Integrity() throws {
        let vector = STUNVectors.sha256LongTermRequest
        for index in 4..<(vector.count - 36) {
            var corrupted = vector
            corrupted[index] ^= 0x80
            guard let message = try? STUNMessage.decode(ByteBuffer(bytes: corrupted)) else {
                continue
            }
            #expect(!message.isMessageIntegritySHA256Valid(key: Self.key), "byte \(index)")
        }
    }
}
