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

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.apiEnabled = try values.boolean("ice.api.enabled")
        self.apiTokens = try values.list("ice.api.tokens")
        self.apiAllowedOrigins = try values.list("ice.api.allowedOrigins")
        self.apiRequestsPerMinute = try values.integer("ice.api.requestsPerMinute")
        self.adminPort = try values.integer("admin.port")
        self.adminHost = try values.string("admin.host")
        self.adminTokens = try values.list("admin.tokens")
        self.adminAllowLoopback = try values.boolean("admin.allowLoopback")
        self.allowedHosts = try values.list("http.allowedHosts")

        // An enabled API with no way in would refuse everyone: surely not what the operator meant.
        if self.apiEnabled && self.apiTokens.isEmpty && self.apiAllowedOrigins.isEmpty {
            throw values.error(
                "ice.api.enabled",
                "is on but neither ice.api.tokens nor ice.api.allowedOrigins is set"
            )
        }
        // Token lists hold secrets: the messages name the key, never the entry.
        let tokenLists = [("ice.api.tokens", self.apiTokens), ("admin.tokens", self.adminTokens)]
        for (path, tokens) in tokenLists where tokens.contains(where: { $0.count < 16 }) {
            throw values.error(path, "each token must be at least 16 characters long")
        }
        for entry in self.apiAllowedOrigins where !Self.isOrigin(entry) {
            throw values.error(
                "ice.api.allowedOrigins",
                "'\(entry)' is not an origin such as \"https://app.example.org\" (scheme://host[:port])"
            )
        }
        for entry in self.allowedHosts where entry != "*" && !Self.isHost(entry) {
            throw values.error(
                "http.allowedHosts",
                "'\(entry)' is not a host name, an IP address or \"*\" (no scheme, port or path)"
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
