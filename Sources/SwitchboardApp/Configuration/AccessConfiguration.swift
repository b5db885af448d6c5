import Foundation

/// The `ice.api.*`, `admin.*` and `http.allowedHosts` keys: who may reach the ICE servers API and the operator
/// endpoints, and which Host headers are trusted. Validated when the configuration is loaded.
public struct AccessConfiguration: Sendable {
    /// `ice.api.enabled`
    public var apiEnabled: Bool
    /// `ice.api.tokens`; never logged.
    public var apiTokens: [String]
    /// `ice.api.allowedOrigins`, as written (compared exactly, case-insensitively).
    public var apiAllowedOrigins: [String]
    /// `ice.api.requestsPerMinute`; 0 is unlimited.
    public var apiRequestsPerMinute: Int
    /// `admin.port`; 0 is off.
    public var adminPort: Int
    /// `admin.host`
    public var adminHost: String
    /// `admin.tokens`; never logged.
    public var adminTokens: [String]
    /// `admin.allowLoopback`
    public var adminAllowLoopback: Bool
    /// `http.allowedHosts`
    public var allowedHosts: [String]

    typealias Values = [String: (value: ConfigurationValue, origin: ConfigurationOrigin)]

    init(values: Values) throws(ConfigurationError) {
        func value(_ path: String) -> ConfigurationValue? {
            values[path]?.value ?? ConfigurationSchema.key(path)?.defaultValue
        }
        func list(_ path: String) -> [String] {
            guard case .stringList(let list) = value(path) else { preconditionFailure("\(path) is not a list") }
            return list
        }
        func boolean(_ path: String) -> Bool {
            guard case .boolean(let flag) = value(path) else { preconditionFailure("\(path) is not a boolean") }
            return flag
        }
        func integer(_ path: String) -> Int {
            guard case .integer(let number) = value(path) else { preconditionFailure("\(path) is not an integer") }
            return number
        }
        func string(_ path: String) -> String {
            guard case .string(let text) = value(path) else { preconditionFailure("\(path) is not a string") }
            return text
        }
        func origin(_ path: String) -> ConfigurationOrigin {
            values[path]?.origin ?? .defaultValue
        }

        self.apiEnabled = boolean("ice.api.enabled")
        self.apiTokens = list("ice.api.tokens")
        self.apiAllowedOrigins = list("ice.api.allowedOrigins")
        self.apiRequestsPerMinute = integer("ice.api.requestsPerMinute")
        self.adminPort = integer("admin.port")
        self.adminHost = string("admin.host")
        self.adminTokens = list("admin.tokens")
        self.adminAllowLoopback = boolean("admin.allowLoopback")
        self.allowedHosts = list("http.allowedHosts")

        // An enabled API with no way in would refuse everyone: surely not what the operator meant.
        if self.apiEnabled && self.apiTokens.isEmpty && self.apiAllowedOrigins.isEmpty {
            throw ConfigurationError(
                key: "ice.api.enabled",
                origin: origin("ice.api.enabled"),
                message: "is on but neither ice.api.tokens nor ice.api.allowedOrigins is set"
            )
        }
        // Token lists hold secrets: the messages name the key, never the entry.
        for path in ["ice.api.tokens", "admin.tokens"] where list(path).contains(where: { $0.count < 16 }) {
            throw ConfigurationError(
                key: path,
                origin: origin(path),
                message: "each token must be at least 16 characters long"
            )
        }
        for entry in self.apiAllowedOrigins where !Self.isOrigin(entry) {
            throw ConfigurationError(
                key: "ice.api.allowedOrigins",
                origin: origin("ice.api.allowedOrigins"),
                message: "'\(entry)' is not an origin such as \"https://app.example.org\" (scheme://host[:port])"
            )
        }
        for entry in self.allowedHosts where entry != "*" && !Self.isHost(entry) {
            throw ConfigurationError(
                key: "http.allowedHosts",
                origin: origin("http.allowedHosts"),
                message: "'\(entry)' is not a host name, an IP address or \"*\" (no scheme, port or path)"
            )
        }
    }

    /// An IP address, or a DNS name: letters, digits, '-', '_' and '.'.
    static func isHost(_ text: String) -> Bool {
        if ClientAddress(text) != nil {
            return true
        }
        return !text.isEmpty
            && text.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (scalar.properties.isAlphabetic || "0123456789-_.".unicodeScalars.contains(scalar))
            }
    }

    /// `scheme://host[:port]` with nothing after it, as a browser writes the `Origin` header (RFC 6454 §6.1).
    static func isOrigin(_ text: String) -> Bool {
        guard let separator = text.range(of: "://") else {
            return false
        }
        let scheme = text[..<separator.lowerBound]
        let rest = text[separator.upperBound...]
        return !scheme.isEmpty && scheme.allSatisfy { $0.isLetter || $0.isNumber || "+-.".contains($0) }
            && !rest.isEmpty && !rest.contains("/") && !rest.contains("?") && !rest.contains("#")
    }
}
