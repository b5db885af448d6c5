import HTTPTypes
import HummingbirdCore

/// The HTTP request that opened an Engine.IO session, kept for the application (Socket.IO's `socket.handshake`):
/// its target, query and headers.
///
/// Every session keeps one for its whole life, so the request is stored as one byte block (one allocation) rather
/// than as an `HTTPFields`, a query list and strings (about 700 bytes an idle session kept, mostly spare capacity).
/// The block holds the target, the authority and each field's name and value, each as a 4-byte length and its bytes;
/// ``query`` and ``headers`` are rebuilt from it when asked for.
public struct EngineIOHandshakeRequest: Sendable {
    private let block: [UInt8]
    private let hasAuthority: Bool

    /// Creates a handshake request.
    public init(uri: String, headers: HTTPFields, authority: String? = nil) {
        var block: [UInt8] = []
        block.reserveCapacity(
            headers.reduce(uri.utf8.count + (authority?.utf8.count ?? 0) + 8) { total, field in
                total + 8 + field.name.rawName.utf8.count + field.withUnsafeBytesOfValue(\.count)
            }
        )
        Self.appendItem(uri.utf8, to: &block)
        Self.appendItem((authority ?? "").utf8, to: &block)
        for field in headers {
            Self.appendItem(field.name.rawName.utf8, to: &block)
            field.withUnsafeBytesOfValue { Self.appendItem($0, to: &block) }
        }
        self.block = block
        self.hasAuthority = authority != nil
    }

    /// The request target: path and query (`/socket.io/?EIO=4&transport=polling`).
    public var uri: String {
        String(decoding: self.items().first ?? [], as: UTF8.self)
    }

    /// The host the client addressed (HTTP/1.1 `Host`, HTTP/2 `:authority`), which HTTPTypes keeps out of
    /// `headers`.
    public var authority: String? {
        guard self.hasAuthority else {
            return nil
        }
        return String(decoding: self.items().dropFirst().first ?? [], as: UTF8.self)
    }

    /// The query parameters in order, percent-decoded.
    public var query: [(name: String, value: String)] {
        EngineIORequestQuery.parameters(of: URI(self.uri))
    }

    /// The request headers.
    public var headers: HTTPFields {
        var fields = HTTPFields()
        var items = self.items().dropFirst(2).makeIterator()
        while let name = items.next(), let value = items.next() {
            if let name = HTTPField.Name(String(decoding: name, as: UTF8.self)) {
                fields.append(HTTPField(name: name, lenientValue: value))
            }
        }
        return fields
    }

    /// The first value of a query parameter.
    public func queryValue(_ name: String) -> String? {
        self.query.first { $0.name == name }?.value
    }

    /// Whether the request came from another origin (it has an `Origin` header): Socket.IO's `xdomain`.
    public var isCrossDomain: Bool {
        self.headers[.origin] != nil
    }

    private static func appendItem(_ bytes: some Collection<UInt8>, to block: inout [UInt8]) {
        let count = UInt32(truncatingIfNeeded: bytes.count)
        withUnsafeBytes(of: count.littleEndian) { block.append(contentsOf: $0) }
        block.append(contentsOf: bytes)
    }

    /// The block's items in order: target, authority, then name and value of each field.
    private func items() -> [ArraySlice<UInt8>] {
        var items: [ArraySlice<UInt8>] = []
        var offset = 0
        while offset + 4 <= self.block.count {
            let count = self.block[offset..<offset + 4].reversed().reduce(0) { $0 << 8 | Int($1) }
            items.append(self.block[offset + 4..<offset + 4 + count])
            offset += 4 + count
        }
        return items
    }
}
