import LoadGeneratorSupport
import Testing

/// MD5, SHA-1 and HMAC-SHA1 against the vectors of their RFCs.
@Suite struct DigestTests {
    /// RFC 1321 appendix A.5.
    @Test(
        arguments: [
            ("", "d41d8cd98f00b204e9800998ecf8427e"),
            ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"),
            ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            (
                "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
                "d174ab98d277d9f5a5611c2c9f419d9f"
            ),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
    )
    func md5(message: String, digest: String) {
        #expect(hexString(MD5.digest(Array(message.utf8))) == digest)
    }

    /// FIPS 180-2 appendix A and the empty message.
    @Test(
        arguments: [
            ("", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            ("abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
            (
                "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
            ),
        ]
    )
    func sha1(message: String, digest: String) {
        #expect(hexString(SHA1.digest(Array(message.utf8))) == digest)
    }

    /// FIPS 180-2 appendix A.3: one million "a".
    @Test func sha1MillionA() {
        let digest = SHA1.digest([UInt8](repeating: 0x61, count: 1_000_000))
        #expect(hexString(digest) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f")
    }

    /// Block-boundary lengths, where the padding spills into a second block.
    @Test func sha1PaddingBoundaries() {
        #expect(
            hexString(SHA1.digest([UInt8](repeating: 0x61, count: 55))) == "c1c8bbdc22796e28c0e15163d20899b65621d65a"
        )
        #expect(
            hexString(SHA1.digest([UInt8](repeating: 0x61, count: 56))) == "c2db330f6083854c99d4b5bfb6e8f29f201be699"
        )
        #expect(
            hexString(SHA1.digest([UInt8](repeating: 0x61, count: 64))) == "0098ba824b5c16427bd7a1122a5a442a25ec644d"
        )
    }

    /// RFC 2202 §3, test cases 1 to 7 (6 and 7 have keys longer than the block).
    @Test(
        arguments: [
            (
                [UInt8](repeating: 0x0B, count: 20), Array("Hi There".utf8),
                "b617318655057264e28bc0b6fb378c8ef146be00"
            ),
            (
                Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
                "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
            ),
            (
                [UInt8](repeating: 0xAA, count: 20), [UInt8](repeating: 0xDD, count: 50),
                "125d7342b9ac11cd91a39af48aa17b4f63f175d3"
            ),
            (
                Array(1...25), [UInt8](repeating: 0xCD, count: 50),
                "4c9007f4026250c6bc8414f9bf50c86c2d7235da"
            ),
            (
                [UInt8](repeating: 0x0C, count: 20), Array("Test With Truncation".utf8),
                "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04"
            ),
            (
                [UInt8](repeating: 0xAA, count: 80),
                Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
                "aa4ae5e15272d00e95705637ce8a3b55ed402112"
            ),
            (
                [UInt8](repeating: 0xAA, count: 80),
                Array("Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".utf8),
                "e8e99d0f45237d786d6bbaa7965c7808bbff1a91"
            ),
        ]
    )
    func hmacSHA1(key: [UInt8], message: [UInt8], code: String) {
        #expect(hexString(HMACSHA1.authenticationCode(key: key, message: message)) == code)
    }
}
