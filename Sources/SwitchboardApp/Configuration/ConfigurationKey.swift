/// The declaration of one configuration key: its dotted path, type, default, allowed range and meaning.
///
/// The list of keys in ``ConfigurationSchema`` is the single source of truth: the YAML reader, the environment
/// reader and the `--set` flag follow it, and the documented example file (`turn-config/switchboard.yaml`) is
/// generated from it (``ConfigurationDocument``, `scripts/generate-config`).
public struct ConfigurationKey: Sendable {
    /// The type of a key's value and the range of values it accepts.
    public enum Kind: Sendable {
        case string(allowEmpty: Bool)
        case integer(ClosedRange<Int>)
        case boolean
        case choice([String])
        /// A list of IP addresses (IPv4 dotted quad or IPv6).
        case ipAddressList
        /// A list of IP addresses or CIDR ranges (`10.0.0.0/8`, `::1`).
        case ipRangeList
        /// A list of strings.
        case stringList
    }

    /// The dotted path, as written in YAML: `stun.port` is `port:` inside `stun:`.
    public var path: String
    public var kind: Kind
    public var defaultValue: ConfigurationValue
    /// Secrets are never printed: not in logs, not in error messages.
    public var isSecret: Bool
    /// What the key does: the comment above it in the documented example file, which adds an integer's range and a
    /// secret's warning itself (``ConfigurationDocument/description(of:)``).
    public var summary: String

    public init(
        _ path: String,
        _ kind: Kind,
        default defaultValue: ConfigurationValue,
        isSecret: Bool = false,
        _ summary: String
    ) {
        self.path = path
        self.kind = kind
        self.defaultValue = defaultValue
        self.isSecret = isSecret
        self.summary = summary
    }

    /// The environment variable that overrides this key: `SWITCHBOARD_` followed by the path's components, camel
    /// case split into words, upper-cased and joined by `_` (`stun.udpSocketsPerAddress` is
    /// `SWITCHBOARD_STUN_UDP_SOCKETS_PER_ADDRESS`).
    public var environmentName: String {
        var name = "SWITCHBOARD"
        for component in self.path.split(separator: ".") {
            name += "_"
            var previousWasLowercase = false
            for character in component {
                if character.isUppercase && previousWasLowercase {
                    name += "_"
                }
                previousWasLowercase = character.isLowercase || character.isNumber
                name += character.uppercased()
            }
        }
        return name
    }
}
