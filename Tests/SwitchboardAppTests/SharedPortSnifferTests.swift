import Testing

@testable import SwitchboardApp

@Suite struct SharedPortSnifferTests {
    private func verdict(_ bytes: [UInt8], allowTLS: Bool = true) -> SharedPortSniffer.Verdict {
        SharedPortSniffer.verdict(firstBytes: bytes, allowTLS: allowTLS)
    }

    @Test func aClientHelloIsTLS() {
        // TLS record header: handshake (22), legacy version 3.1, length; then ClientHello (1).
        #expect(self.verdict([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]) == .tls)
        #expect(self.verdict([0x16]) == .needMoreBytes)
        #expect(self.verdict([0x16, 0x02]) == .unknown)
        // Inside TLS, a second ClientHello is nothing this port speaks.
        #expect(self.verdict([0x16, 0x03, 0x01, 0x02, 0x00, 0x01], allowTLS: false) == .unknown)
    }

    @Test func aSTUNHeaderIsTURNOnceTheCookieIsSeen() {
        let allocate: [UInt8] = [0x00, 0x03, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42, 0xAA, 0xBB]
        #expect(self.verdict(allocate) == .turn)
        for count in 1..<8 {
            #expect(self.verdict(Array(allocate.prefix(count))) == .needMoreBytes)
        }
        // The RFC 3489 header has no magic cookie.
        #expect(self.verdict([0x00, 0x01, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44]) == .unknown)
        #expect(self.verdict([0x00, 0x01, 0x00, 0x00, 0x21, 0x13]) == .unknown)
    }

    @Test func channelDataIsTURN() {
        #expect(self.verdict([0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4]) == .turn)
        #expect(self.verdict([0x7F, 0xFF]) == .turn)
    }

    @Test(arguments: ["GET / HTTP/1.1\r\n", "POST /socket.io/", "HEAD /", "OPTIONS * HTTP/1.1", "PUT /x", "DELETE /x"])
    func anHTTPRequestLineIsHTTP(line: String) {
        #expect(self.verdict(Array(line.utf8)) == .http)
        #expect(self.verdict(Array(line.utf8), allowTLS: false) == .http)
    }

    @Test func aMethodPrefixWaitsThoughItLooksLikeChannelData() {
        // 'G' and 'P' are 0x47 and 0x50: ChannelData channel numbers, so only the whole method decides.
        #expect(self.verdict(Array("G".utf8)) == .needMoreBytes)
        #expect(self.verdict(Array("POS".utf8)) == .needMoreBytes)
        #expect(self.verdict(Array("GET".utf8)) == .needMoreBytes)
        // Not a method after all: a ChannelData frame on channel 0x4745.
        #expect(self.verdict(Array("GEX".utf8)) == .turn)
    }

    @Test func anythingElseIsUnknown() {
        #expect(self.verdict([]) == .needMoreBytes)
        #expect(self.verdict(Array("SSH-2.0-OpenSSH".utf8)) == .turn)  // 'S' is 0x53: it could be ChannelData
        #expect(self.verdict([0x80, 0x00]) == .unknown)
        #expect(self.verdict([0xC0]) == .unknown)
    }

    @Test func alpnDecidesWhenNegotiated() {
        #expect(SharedPortSniffer.verdict(alpn: "stun.turn") == .turn)
        #expect(SharedPortSniffer.verdict(alpn: "http/1.1") == .http)
        #expect(SharedPortSniffer.verdict(alpn: nil) == nil)
        #expect(SharedPortSniffer.verdict(alpn: "h2") == nil)
        #expect(SharedPortSniffer.alpnProtocols.first == "stun.turn")
    }
}
