import TestSupport
import Testing

@testable import STUNCodec

/// Long-term keys, TURN REST API credentials, SASLprep and OpaqueString.
@Suite struct CredentialsTests {
    // MARK: - TURN REST API (docs/turn.md#rest-credentials vectors)

    struct RESTVector: Sendable, CustomTestStringConvertible {
        var secret: String
        var username: String
        var password: String
        var testDescription: String { "\(self.secret) \(self.username)" }
    }

    static let restVectors = [
        RESTVector(secret: "crypt1c", username: "1256900400", password: "uEKlpcME7MNMMVRV8rUFPCTIFEs="),
        RESTVector(secret: "crypt1c", username: "2145913200", password: "cLwpKS2/9bWHf+agUImD47PIXNE="),
        RESTVector(secret: "north", username: "1700000000:alice", password: "Cd/49soE35ICqcJF/bCTn8Z4OyE="),
    ]

    @Test(arguments: restVectors)
    func restPassword(vector: RESTVector) {
        #expect(
            TimeLimitedCredentials.password(username: vector.username, secret: Array(vector.secret.utf8))
                == vector.password
        )
    }

    @Test func restUsername() {
        #expect(TimeLimitedCredentials.username(expiry: 1_700_000_000, user: "alice") == "1700000000:alice")
        #expect(TimeLimitedCredentials.username(expiry: 1_256_900_400, user: "") == "1256900400")
    }

    @Test func restExpiry() {
        #expect(TimeLimitedCredentials.expiry(ofUsername: "1700000000:alice") == 1_700_000_000)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "1256900400") == 1_256_900_400)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "1700000000:alice:extra") == 1_700_000_000)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "9223372036854775807") == .max)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "9223372036854775808") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "99999999999999999999:x") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "alice") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "alice:1700000000") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: ":alice") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "-1:alice") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "+1") == nil)
        #expect(TimeLimitedCredentials.expiry(ofUsername: "12a") == nil)
    }

    @Test func restCredentialsFeedTheLongTermKey() {
        let username = TimeLimitedCredentials.username(expiry: 1_700_000_000, user: "alice")
        let password = TimeLimitedCredentials.password(username: username, secret: Array("north".utf8))
        let key = LongTermCredentials.key(username: username, realm: "example.org", password: password)
        #expect(key.count == 16)
        #expect(
            key
                == LongTermCredentials.key(
                    username: username,
                    realm: "example.org",
                    password: "Cd/49soE35ICqcJF/bCTn8Z4OyE="
                )
        )
    }

    // MARK: - SASLprep (RFC 4013 §3 examples and more)

    @Test(arguments: [
        ("I\u{00AD}X", "IX"),
        ("user", "user"),
        ("USER", "USER"),
        ("\u{00AA}", "a"),
        ("\u{2168}", "IX"),
        ("The\u{00AD}M\u{00AA}tr\u{2168}", "TheMatrIX"),
        ("a\u{00A0}b", "a b"),
        ("a\u{3000}b\u{2003}c", "a b c"),
        ("a\u{200B}b\u{FEFF}c", "abc"),
        ("\u{FF21}\u{FF22}", "AB"),
        ("e\u{0301}", "\u{00E9}"),
        ("\u{0627}\u{0628}", "\u{0627}\u{0628}"),
        ("\u{05D0}1\u{05D1}", "\u{05D0}1\u{05D1}"),
        ("", ""),
        ("pass word", "pass word"),
    ])
    func saslprepMaps(input: String, expected: String) {
        #expect(SASLprep.prepare(input) == expected)
    }

    @Test(arguments: [
        "\u{0007}",  // C.2.1 ASCII control
        "a\u{007F}",  // C.2.1 DELETE
        "a\u{0085}",  // C.2.2 non-ASCII control
        "a\u{2028}",  // C.2.2 line separator
        "\u{E000}",  // C.3 private use
        "a" + String(Unicode.Scalar(0xFDD0)!),  // C.4 non-character
        "a\u{FFFD}",  // C.6 replacement character
        "a\u{2FF0}",  // C.7 ideographic description
        "a\u{200E}",  // C.8 left-to-right mark
        "a\u{E0001}",  // C.9 language tag
        "\u{0627}\u{0031}",  // RFC 4013 §3 example 7: RandALCat not last
        "1\u{0627}",  // RandALCat not first
        "\u{05D0}a\u{05D0}",  // RandALCat and LCat mixed
    ])
    func saslprepProhibits(input: String) {
        #expect(SASLprep.prepare(input) == nil)
    }

    @Test func longTermKeyFallsBackToTheRawPassword() {
        // A prohibited password cannot be prepared; the key still derives from the password as given.
        let key = LongTermCredentials.key(username: "u", realm: "r", password: "a\u{0007}")
        #expect(key.count == 16)
        #expect(key != LongTermCredentials.key(username: "u", realm: "r", password: "a"))
    }

    // MARK: - OpaqueString (RFC 8265 §4.2)

    @Test(arguments: [
        ("TheMatrIX", "TheMatrIX"),
        ("correct horse", "correct horse"),
        ("a\u{00A0}b", "a b"),
        ("e\u{0301}", "\u{00E9}"),
        ("\u{FF21}", "\u{FF21}"),  // no width mapping
        ("\u{2168}", "\u{2168}"),  // no compatibility mapping
        ("\u{00DF}", "\u{00DF}"),
        (STUNVectors.longTermUsername, STUNVectors.longTermUsername),
        ("\u{03C0}\u{1F600}", "\u{03C0}\u{1F600}"),
    ])
    func opaqueStringMaps(input: String, expected: String) {
        #expect(OpaqueString.prepare(input) == expected)
    }

    @Test(arguments: [
        "",
        "a\u{0007}",  // control
        "The\u{00AD}M",  // default ignorable
        "a\u{200D}b",  // joiner (CONTEXTJ)
        "a\u{E000}",  // private use
        "a\u{2028}",  // line separator
        "a" + String(Unicode.Scalar(0xFDD0)!),  // noncharacter
        "a\u{0640}",  // RFC 5892 exception, DISALLOWED
        "\u{1100}",  // old Hangul jamo
    ])
    func opaqueStringRejects(input: String) {
        #expect(OpaqueString.prepare(input) == nil)
    }

    @Test func sha256KeyAppliesOpaqueStringToRealmAndPassword() {
        let composed = LongTermCredentials.sha256Key(username: "u", realm: "r\u{00E9}", password: "p\u{00E9}")
        let decomposed = LongTermCredentials.sha256Key(username: "u", realm: "re\u{0301}", password: "pe\u{0301}")
        #expect(composed == decomposed)
        #expect(composed.count == 32)
    }
}
