/// A coturn option that `import-coturn` could not carry over, or carried over only in part.
public struct CoturnImportWarning: Sendable, Equatable, CustomStringConvertible {
    /// The line of the option in the coturn file; `nil` for something the file leaves out.
    public var line: Int?
    /// The coturn option name.
    public var key: String
    /// What happened and what to do; never holds a password or secret.
    public var message: String

    /// `line 12: key 'cli-password': ...`, the form `import-coturn` prints after the file name.
    public var description: String {
        if let line = self.line {
            return "line \(line): key '\(self.key)': \(self.message)"
        }
        return "key '\(self.key)': \(self.message)"
    }

    /// The line listing it at the end of the YAML.
    var footerText: String {
        "\(self.line.map { "line \($0): " } ?? "")\(self.key): \(self.message)"
    }
}

/// The result of converting one coturn file.
public struct CoturnImport: Sendable {
    /// The Switchboard YAML, with comments naming the coturn line of every key and what was left out.
    public var yaml: String
    /// One entry per option that was not carried over as it was, in file order.
    public var warnings: [CoturnImportWarning]
    /// The YAML holds passwords or secrets (`turn.users`, `turn.secrets`), so its file should not be world-readable.
    public var containsSecrets: Bool
}

/// Converts coturn's `turnserver.conf` into Switchboard configuration: a pure function from text to YAML and
/// warnings, used by `switchboard import-coturn`. docs/migrating-from-coturn.md lists what each option becomes.
public struct CoturnImporter: Sendable {
    /// Whether this build has `turn.relay.externalAddresses`; without it coturn's `external-ip` is written commented out.
    public var supportsExternalAddresses: Bool

    public init(supportsExternalAddresses: Bool = ConfigurationSchema.key("turn.relay.externalAddresses") != nil) {
        self.supportsExternalAddresses = supportsExternalAddresses
    }

    /// The Switchboard configuration equivalent to the coturn configuration `text`; `sourceName` is named in the
    /// header comment.
    public func convert(_ text: String, sourceName: String) -> CoturnImport {
        var conversion = CoturnConversion(supportsExternalAddresses: self.supportsExternalAddresses)
        for directive in CoturnConfigFile.parse(text) {
            conversion.read(directive)
        }
        return conversion.finish(sourceName: sourceName)
    }
}
