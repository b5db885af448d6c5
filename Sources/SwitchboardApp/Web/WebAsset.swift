import Crypto
import Hummingbird
import NIOCore

/// One file of the web surface, embedded in the binary (see `EmbeddedWebFiles`): where it is served,
/// its content type and its bytes.
///
/// Every asset is served with `Cache-Control: no-cache` and a strong entity tag derived from its bytes, so a
/// browser revalidates on each load and gets a bodiless 304 until the binary is upgraded; nothing stale survives
/// an upgrade.
struct WebAsset: Sendable {
    let path: String
    let contentType: String
    let body: ByteBuffer
    let entityTag: String

    init(path: String, contentType: String, text: String) {
        self.path = path
        self.contentType = contentType
        self.body = ByteBuffer(string: text)
        let digest = SHA256.hash(data: Array(text.utf8))
        self.entityTag = "\"" + Self.hex(digest.prefix(16)) + "\""
    }

    /// 200 with the asset, or 304 when the request's `If-None-Match` names the current entity tag.
    func response(to request: Request) -> Response {
        var headers: HTTPFields = [
            .cacheControl: "no-cache",
            .eTag: self.entityTag,
            .xContentTypeOptions: "nosniff",
        ]
        if Self.matches(request.headers[values: .ifNoneMatch], entityTag: self.entityTag) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = self.contentType
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: self.body))
    }

    /// RFC 9110 §13.1.2: `*`, or a comma-separated list of tags compared weakly (a `W/` prefix is ignored).
    static func matches(_ values: [String], entityTag: String) -> Bool {
        for value in values {
            for candidate in value.split(separator: ",") {
                var tag = candidate.trimmingWhitespace()
                if tag == "*" {
                    return true
                }
                if tag.hasPrefix("W/") {
                    tag = tag.dropFirst(2)
                }
                if tag == entityTag {
                    return true
                }
            }
        }
        return false
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef")
        var text = ""
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" {
            text.removeFirst()
        }
        while let last = text.last, last == " " || last == "\t" {
            text.removeLast()
        }
        return text
    }
}
