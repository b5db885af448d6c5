/// A PostgreSQL connection URL as libpq writes it, `postgres://user:password@host:port/database?sslmode=require`
/// (PostgreSQL's documentation §34.1.1.2, "Connection URIs"), for `cluster.postgresURL`.
///
/// Only the parts a cluster needs are read: user, password, host (a name, an IPv4 address or a bracketed IPv6
/// address), port (default 5432), database (default: the user's name, as libpq) and `sslmode` (`disable`, the
/// default here, or `require`). Percent-escapes are decoded in the user, password and database.
public struct PostgresURL: Sendable, Equatable {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var requiresTLS: Bool

    public init(user: String, password: String?, host: String, port: Int, database: String, requiresTLS: Bool) {
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.database = database
        self.requiresTLS = requiresTLS
    }

    /// Why a URL was refused, for a configuration error.
    public struct Error: Swift.Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    public init(parsing text: String) throws(Error) {
        var rest = Substring(text)
        guard let scheme = ["postgresql://", "postgres://"].first(where: { rest.hasPrefix($0) }) else {
            throw Error(description: "a PostgreSQL URL starts with postgres:// or postgresql://")
        }
        rest = rest.dropFirst(scheme.count)
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var user: String?
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                user = try Self.decode(userInfo[..<colon])
                self.password = try Self.decode(userInfo[userInfo.index(after: colon)...])
            } else {
                user = try Self.decode(userInfo)
            }
        }
        var portText: Substring?
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else {
                throw Error(description: "an IPv6 host needs its closing ]")
            }
            self.host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") {
                portText = after.dropFirst()
            } else if !after.isEmpty {
                throw Error(description: "unexpected text after the host: \(after)")
            }
        } else if let colon = rest.lastIndex(of: ":") {
            self.host = String(rest[..<colon])
            portText = rest[rest.index(after: colon)...]
        } else {
            self.host = String(rest)
        }
        guard !self.host.isEmpty else {
            throw Error(description: "the URL names no host")
        }
        if let portText {
            guard let port = Int(portText), (1...65535).contains(port) else {
                throw Error(description: "the port must be a number from 1 to 65535, not '\(portText)'")
            }
            self.port = port
        } else {
            self.port = 5432
        }
        guard let user, !user.isEmpty else {
            throw Error(description: "the URL names no user (postgres://USER@host/database)")
        }
        self.user = user
        self.database = path.isEmpty ? user : try Self.decode(path)
        self.requiresTLS = false
        for parameter in query.split(separator: "&") {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.first == "sslmode" else {
                continue
            }
            switch pair.count == 2 ? pair[1] : "" {
            case "disable": self.requiresTLS = false
            case "require": self.requiresTLS = true
            default: throw Error(description: "sslmode must be disable or require")
            }
        }
    }

    /// The URL with its password replaced by `***`, for logs.
    public var redacted: String {
        let password = self.password == nil ? "" : ":***"
        let host = self.host.contains(":") ? "[\(self.host)]" : self.host
        return "postgres://\(self.user)\(password)@\(host):\(self.port)/\(self.database)"
    }

    /// Decodes `%XX` escapes (RFC 3986 §2.1) as UTF-8.
    private static func decode(_ text: Substring) throws(Error) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue)
            else {
                throw Error(description: "a % must be followed by two hexadecimal digits")
            }
            bytes.append(high << 4 | low)
        }
        guard let decoded = String(validating: bytes, as: UTF8.self) else {
            throw Error(description: "percent-escapes must decode to UTF-8")
        }
        return decoded
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
