/// How the packets of an HTTP long-polling body are framed, which the `Content-Type` header tells.
///
/// - ``text``: `text/plain; charset=UTF-8`. Engine.IO v4 records separated by `0x1E`, or Engine.IO v3
///   `<length>:<packet>` with lengths in UTF-16 code units.
/// - ``binary``: `application/octet-stream`, Engine.IO v3 only ("XHR2" framing: a `0x00`/`0x01` marker, the length
///   as digit bytes, `0xFF`, the packet). Engine.IO v4 rejects binary bodies (HTTP 400).
public enum EngineIOPayloadFraming: Sendable, Hashable {
    case text
    case binary

    /// The framing a request body announces with its `Content-Type` header: binary for `application/octet-stream`
    /// (with or without parameters, compared case-insensitively, as socket.io-client-java does), text otherwise.
    public init(contentType: String?) {
        guard let contentType else {
            self = .text
            return
        }
        let mediaType = contentType.utf8.prefix { $0 != UInt8(ascii: ";") }
        let trimmed = mediaType.drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        let expected = "application/octet-stream".utf8
        var matches = true
        var iterator = trimmed.makeIterator()
        for expectedByte in expected {
            guard let byte = iterator.next(), byte | 0x20 == expectedByte | 0x20 else {
                matches = false
                break
            }
        }
        if matches {
            // Only trailing whitespace may follow the media type.
            while let byte = iterator.next() {
                if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") {
                    matches = false
                    break
                }
            }
        }
        self = matches ? .binary : .text
    }

    /// The `Content-Type` to send with a response body in this framing, exactly as the reference server writes it
    /// (socket.io-client 2.x matches these strings exactly).
    public var contentType: String {
        switch self {
        case .text:
            return "text/plain; charset=UTF-8"
        case .binary:
            return "application/octet-stream"
        }
    }
}
