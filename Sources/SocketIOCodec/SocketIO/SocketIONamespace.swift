/// Helpers for Socket.IO namespace names.
///
/// A namespace is a name starting with `/`; the main namespace is `/`. On the wire the namespace ends at `,` and has
/// no escape, so a name must not contain a comma (Socket.IO v5 §"Format").
///
/// In Socket.IO protocol v4 a client passes connection parameters as a query string inside the namespace of its
/// CONNECT packet (`0/admin?token=abc,`); the reference server splits it with Node's `url.parse(nsp, true)` and uses
/// the query object as the socket's auth data. ``split(_:)`` and ``queryObject(_:)`` do the same.
public enum SocketIONamespace {
    /// The main namespace.
    public static let root = "/"

    /// Whether `name` can be written in a packet: it starts with `/` and contains no `,`.
    public static func isValid(_ name: String) -> Bool {
        name.utf8.first == UInt8(ascii: "/") && !name.utf8.contains(UInt8(ascii: ","))
    }

    /// Splits a protocol v4 namespace into its name and its query string, as `url.parse` does: the name is the part
    /// before `?`, the query the part after it, and anything from `#` on is dropped.
    ///
    /// `"/admin?token=abc"` gives `("/admin", "token=abc")`; `"/admin"` gives `("/admin", nil)`.
    public static func split(_ namespace: String) -> (name: String, query: String?) {
        var withoutFragment = Substring(namespace)
        if let hash = withoutFragment.firstIndex(of: "#") {
            withoutFragment = withoutFragment[..<hash]
        }
        guard let question = withoutFragment.firstIndex(of: "?") else {
            return (String(withoutFragment), nil)
        }
        let name = withoutFragment[..<question]
        let query = withoutFragment[withoutFragment.index(after: question)...]
        return (String(name), String(query))
    }

    /// Parses a query string into the object Node's `querystring.parse` returns, which Socket.IO protocol v4 servers
    /// use as the auth data: `&`-separated `key=value` pairs, empty pairs skipped, `+` read as a space, `%XX` escapes
    /// decoded as UTF-8 (invalid escapes kept as written, invalid UTF-8 replaced by U+FFFD), a key without `=` given
    /// the value `""`, and a repeated key given an array of its values.
    ///
    /// `"token=abc&a=1&a=2&flag"` gives `{"token":"abc","a":["1","2"],"flag":""}`.
    public static func queryObject(_ query: String) -> JSONValue {
        var order: [String] = []
        var values: [String: [String]] = [:]
        for part in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let key: String
            let value: String
            if let equals = part.firstIndex(of: UInt8(ascii: "=")) {
                key = SocketIONamespace.unescape(part[part.startIndex..<equals])
                value = SocketIONamespace.unescape(part[part.index(after: equals)...])
            } else {
                key = SocketIONamespace.unescape(part)
                value = ""
            }
            if values[key] == nil {
                order.append(key)
                values[key] = [value]
            } else {
                values[key]?.append(value)
            }
        }
        let pairs = order.map { key -> (String, JSONValue) in
            let list = values[key] ?? []
            if list.count == 1 {
                return (key, .string(list[0]))
            }
            return (key, .array(list.map { .string($0) }))
        }
        return .object(JSONObject(pairs))
    }

    /// `+` to space, then `%XX` to bytes; the result is read as UTF-8 with replacement.
    private static func unescape(_ text: Substring.UTF8View) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            if byte == UInt8(ascii: "%") {
                let first = text.index(after: index)
                if first < text.endIndex {
                    let second = text.index(after: first)
                    if second < text.endIndex, let high = hexValue(text[first]), let low = hexValue(text[second]) {
                        bytes.append(high << 4 | low)
                        index = text.index(after: second)
                        continue
                    }
                }
                bytes.append(byte)
            } else if byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
            index = text.index(after: index)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"):
            return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"):
            return byte - UInt8(ascii: "A") + 10
        default:
            return nil
        }
    }
}
