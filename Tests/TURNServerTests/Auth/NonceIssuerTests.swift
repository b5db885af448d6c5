import STUNCodec
import Testing

@testable import TURNServer

@Suite struct NonceIssuerTests {
    static let key = [UInt8](0..<32)
    static let now: Int64 = 1_700_000_000

    let issuer = NonceIssuer(key: Self.key, lifetime: .seconds(600))

    // MARK: - Shape

    /// RFC 4231 §4.3 (test case 2), truncated to 128 bits as §4.7 allows.
    @Test func macIsHMACSHA256TruncatedTo16Bytes() {
        let mac = NonceMAC.compute(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8))
        #expect(
            mac == [0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7]
        )
    }

    @Test func nonceHasCookieAndFixedLength() {
        let nonce = self.issuer.makeNonce(now: Self.now)
        // Bits 0 and 1 (erratum 6290 order): "Password algorithms" and "Username anonymity".
        #expect(nonce.hasPrefix("obMatJos2AAAD"))
        #expect(nonce.utf8.count == 77)
        #expect(nonce.count < 128)  // RFC 8489 §14.10
        // RFC 8489 §14.10: qdtext, no quotes or backslashes.
        #expect(
            nonce.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }
        )
    }

    @Test(
        arguments: [
            (NonceIssuer.SecurityFeatures(), "obMatJos2AAAA"),
            (.passwordAlgorithms, "obMatJos2AAAB"),
            (.usernameAnonymity, "obMatJos2AAAC"),
            ([.passwordAlgorithms, .usernameAnonymity], "obMatJos2AAAD"),
        ] as [(NonceIssuer.SecurityFeatures, String)]
    )
    func cookieEncodesFeatures(features: NonceIssuer.SecurityFeatures, cookie: String) {
        let issuer = NonceIssuer(key: Self.key, lifetime: .seconds(600), securityFeatures: features)
        let nonce = issuer.makeNonce(now: Self.now)
        #expect(nonce.hasPrefix(cookie))
        #expect(NonceIssuer.securityFeatures(ofNonce: nonce) == features)
        #expect(issuer.validate(nonce, now: Self.now) == .valid)
    }

    @Test func readsFeaturesOfForeignNonces() {
        // RFC 8489 B.1: username anonymity only.
        #expect(
            NonceIssuer.securityFeatures(ofNonce: "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA") == .usernameAnonymity
        )
        // RFC 5769 §2.4: no cookie.
        #expect(NonceIssuer.securityFeatures(ofNonce: "f//499k954d6OL34oL9FSTvy64sA") == nil)
        #expect(NonceIssuer.securityFeatures(ofNonce: "obMatJos2AA") == nil)
        #expect(NonceIssuer.securityFeatures(ofNonce: "obMatJos2AA!A") == nil)
        #expect(NonceIssuer.securityFeatures(ofNonce: "") == nil)
        #expect(
            NonceIssuer.securityFeatures(ofNonce: "obMatJos2/+wA") == NonceIssuer.SecurityFeatures(rawValue: 0xFF_EC00)
        )
    }

    @Test func everyNonceIsDistinct() {
        let nonces = (0..<100).map { _ in self.issuer.makeNonce(now: Self.now) }
        #expect(Set(nonces).count == 100)
        #expect(self.issuer.makeNonce(now: Self.now, salt: 7) == self.issuer.makeNonce(now: Self.now, salt: 7))
        #expect(self.issuer.makeNonce(now: Self.now, salt: 7) != self.issuer.makeNonce(now: Self.now, salt: 8))
    }

    // MARK: - Lifetime

    @Test(arguments: [
        (Int64(0), NonceValidity.valid),
        (1, .valid),
        (599, .valid),
        (600, .valid),
        (601, .stale),
        (86_400, .stale),
        (-1, .valid),  // clock stepped back a little
        (-600, .valid),
        (-601, .stale),
    ])
    func validityDependsOnAge(age: Int64, expected: NonceValidity) {
        let nonce = self.issuer.makeNonce(now: Self.now)
        #expect(self.issuer.validate(nonce, now: Self.now + age) == expected)
    }

    @Test func extremeTimesDoNotTrap() {
        let old = self.issuer.makeNonce(now: .min)
        #expect(self.issuer.validate(old, now: .max) == .stale)
        #expect(self.issuer.validate(old, now: .min) == .valid)
        let future = self.issuer.makeNonce(now: .max)
        #expect(self.issuer.validate(future, now: .min) == .stale)
        #expect(self.issuer.validate(future, now: .max) == .valid)
    }

    // MARK: - Not ours

    @Test func everyTamperedCharacterIsInvalid() {
        let nonce = Array(self.issuer.makeNonce(now: Self.now, salt: 42).utf8)
        for index in nonce.indices {
            for replacement in [UInt8(ascii: "0"), UInt8(ascii: "f"), UInt8(ascii: "A"), UInt8(ascii: "z")]
            where replacement != nonce[index] {
                var tampered = nonce
                tampered[index] = replacement
                let text = String(decoding: tampered, as: UTF8.self)
                #expect(self.issuer.validate(text, now: Self.now) == .invalid, "index \(index)")
            }
        }
    }

    @Test func otherKeyOrFeaturesIsInvalid() {
        let nonce = self.issuer.makeNonce(now: Self.now)
        let otherKey = NonceIssuer(key: [UInt8](repeating: 7, count: 32), lifetime: .seconds(600))
        #expect(otherKey.validate(nonce, now: Self.now) == .invalid)
        let otherFeatures = self.issuer.withSecurityFeatures(.passwordAlgorithms)
        #expect(otherFeatures.validate(nonce, now: Self.now) == .invalid)
        #expect(otherFeatures.validate(otherFeatures.makeNonce(now: Self.now), now: Self.now) == .valid)
    }

    @Test func truncatedOrExtendedIsInvalid() {
        let nonce = self.issuer.makeNonce(now: Self.now)
        #expect(self.issuer.validate(String(nonce.dropLast()), now: Self.now) == .invalid)
        #expect(self.issuer.validate(String(nonce.dropLast(2)), now: Self.now) == .invalid)
        #expect(self.issuer.validate(nonce + "0", now: Self.now) == .invalid)
        #expect(self.issuer.validate(nonce + "00", now: Self.now) == .invalid)
        #expect(self.issuer.validate(nonce.uppercased(), now: Self.now) == .invalid)
        let uppercaseBody = String(nonce.prefix(13)) + nonce.dropFirst(13).uppercased()
        #expect(self.issuer.validate(uppercaseBody, now: Self.now) == .invalid)
    }

    @Test(arguments: [
        "",
        "abc",
        "obMatJos2AAAD",
        "f//499k954d6OL34oL9FSTvy64sA",
        "obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA",
        "obMatJos2AAAD" + String(repeating: "0", count: 64),
        "obMatJos2AAAD" + String(repeating: "g", count: 64),
        "obMatJos2AAAD" + String(repeating: "é", count: 32),
        String(repeating: "x", count: 763),
    ])
    func garbageIsInvalid(nonce: String) {
        #expect(self.issuer.validate(nonce, now: Self.now) == .invalid)
    }
}
