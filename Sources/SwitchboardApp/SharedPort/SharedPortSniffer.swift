/// Decides what a connection on the shared port speaks from its first bytes, as a pure function: a TLS
/// ClientHello, a STUN message or ChannelData frame (TURN over TCP, RFC 8656 §3.1), or an HTTP/1.1 request line.
/// After a TLS handshake the same decision runs on the first decrypted bytes, unless ALPN already chose
/// (`stun.turn`, RFC 7443 §4; `http/1.1`).
enum SharedPortSniffer {
    /// What the bytes seen so far say.
    enum Verdict: Equatable, Sendable {
        /// Too few bytes to tell yet.
        case needMoreBytes
        /// A TLS handshake record (RFC 8446 §5.1: content type 22, legacy version 3.x).
        case tls
        /// A STUN message (RFC 8489 §5: two zero bits, then the magic cookie at byte 4) or a ChannelData frame
        /// (RFC 8656 §12.4: first byte 0x40-0x7F).
        case turn
        /// An HTTP/1.1 request line (RFC 9112 §3: a method token, then a space).
        case http
        /// None of these: the connection is closed.
        case unknown
    }

    /// The methods an HTTP request on this server may start with.
    static let httpMethods: [[UInt8]] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "CONNECT", "TRACE",
    ].map { Array(($0 + " ").utf8) }

    /// The ALPN protocol ids the shared port offers, in the server's order of preference: `stun.turn` first, since
    /// coturn's client offers `http/1.1` too, and a client that offers `stun.turn` at all is a TURN client.
    static let alpnProtocols = ["stun.turn", "http/1.1"]

    /// The verdict for a protocol negotiated with ALPN, nil when none was (the first bytes decide then).
    static func verdict(alpn: String?) -> Verdict? {
        switch alpn {
        case "stun.turn": return .turn
        case "http/1.1": return .http
        default: return nil
        }
    }

    /// The verdict for the first bytes of a connection (or of its TLS stream, with `allowTLS` false).
    static func verdict(firstBytes bytes: some Collection<UInt8>, allowTLS: Bool = true) -> Verdict {
        let bytes = Array(bytes.prefix(8))
        guard let first = bytes.first else {
            return .needMoreBytes
        }
        // An HTTP method is checked first: its capital letters fall in the ChannelData range.
        if Self.httpMethods.contains(where: { bytes.starts(with: $0) }) {
            return .http
        }
        if Self.httpMethods.contains(where: { bytes.count < $0.count && $0.starts(with: bytes) }) {
            return .needMoreBytes
        }
        if first == 0x16 && allowTLS {
            guard bytes.count >= 2 else {
                return .needMoreBytes
            }
            return bytes[1] == 0x03 ? .tls : .unknown
        }
        if (0x40...0x7F).contains(first) {
            return .turn
        }
        if first & 0xC0 == 0 {
            let cookie: [UInt8] = [0x21, 0x12, 0xA4, 0x42]
            let seen = Array(bytes.dropFirst(4))
            guard cookie.starts(with: seen) else {
                return .unknown
            }
            return seen.count == cookie.count ? .turn : .needMoreBytes
        }
        return .unknown
    }
}
