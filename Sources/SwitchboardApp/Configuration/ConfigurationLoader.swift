import Foundation
import STUNCodec
import TURNServer
import Yams

/// Reads Switchboard's configuration in layers: the defaults of ``ConfigurationSchema``, then one YAML file,
/// then `SWITCHBOARD_*` environment variables, then `--set key=value` flags; a later layer wins.
///
/// Unknown keys, wrong types and out-of-range values are errors that name the key and where the value came from;
/// every problem of every layer is collected before failing, so one run of `check-config` lists them all.
public struct ConfigurationLoader: Sendable {
    /// The environment variable that names the configuration file, as an alternative to `--config`.
    public static let fileEnvironmentName = "SWITCHBOARD_CONFIG"

    /// The resolved value of every key, with where it came from.
    public private(set) var values: [String: (value: ConfigurationValue, origin: ConfigurationOrigin)]
    private var errors: [ConfigurationError] = []

    public init() {
        self.values = [:]
        for key in ConfigurationSchema.keys {
            self.values[key.path] = (key.defaultValue, .defaultValue)
        }
    }

    /// Loads a whole configuration: file (if any), environment, flags.
    /// - Parameters:
    ///   - filePath: the YAML file, or `nil` for the embedded defaults.
    ///   - environment: the process environment; only `SWITCHBOARD_*` names are read.
    ///   - flags: `(flag name, dotted key, raw value)` triples from the command line.
    public static func load(
        filePath: String?,
        environment: [String: String],
        flags: [(flag: String, key: String, value: String)]
    ) throws(ConfigurationErrors) -> SwitchboardConfiguration {
        var loader = ConfigurationLoader()
        if let filePath {
            loader.readFile(at: filePath)
        }
        loader.readEnvironment(environment)
        for flag in flags {
            loader.apply(rawValue: flag.value, toKey: flag.key, origin: .flag(name: flag.flag))
        }
        return try loader.finish()
    }

    /// Validates the collected values and builds the typed configuration.
    public func finish() throws(ConfigurationErrors) -> SwitchboardConfiguration {
        guard self.errors.isEmpty else {
            throw ConfigurationErrors(self.errors)
        }
        do {
            return try SwitchboardConfiguration(values: ConfigurationValues(self.values))
        } catch {
            throw ConfigurationErrors([error])
        }
    }

    // MARK: - YAML file

    /// Reads a YAML file from disk.
    public mutating func readFile(at path: String) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            self.errors.append(
                ConfigurationError(key: nil, origin: .file(path: path, line: 0), message: "cannot read the file")
            )
            return
        }
        self.readYAML(text, path: path)
    }

    /// Reads YAML text; `path` is only used in messages.
    public mutating func readYAML(_ text: String, path: String) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            self.errors.append(Self.describe(yamlError: error, path: path))
            return
        } catch {
            self.errors.append(
                ConfigurationError(key: nil, origin: .file(path: path, line: 0), message: "invalid YAML: \(error)")
            )
            return
        }
        guard let root else {
            return  // An empty file: every key keeps its default.
        }
        guard case .mapping(let mapping) = root else {
            if Self.isNull(root) {
                return  // A file holding only comments.
            }
            self.errors.append(
                ConfigurationError(
                    key: nil,
                    origin: .file(path: path, line: Self.line(of: root)),
                    message: "the top level must be a mapping of keys to values"
                )
            )
            return
        }
        self.readMapping(mapping, prefix: "", path: path)
    }

    private mutating func readMapping(_ mapping: Node.Mapping, prefix: String, path: String) {
        var seen: Set<String> = []
        for (keyNode, valueNode) in mapping {
            let origin = ConfigurationOrigin.file(path: path, line: Self.line(of: keyNode))
            guard case .scalar(let keyScalar) = keyNode else {
                self.errors.append(
                    ConfigurationError(
                        key: prefix.isEmpty ? nil : prefix,
                        origin: origin,
                        message: "keys must be plain names"
                    )
                )
                continue
            }
            let fullPath = prefix.isEmpty ? keyScalar.string : prefix + "." + keyScalar.string
            guard seen.insert(keyScalar.string).inserted else {
                self.errors.append(ConfigurationError(key: fullPath, origin: origin, message: "key appears twice"))
                continue
            }
            if let key = ConfigurationSchema.key(fullPath) {
                let valueOrigin = ConfigurationOrigin.file(path: path, line: Self.line(of: valueNode))
                self.apply(node: valueNode, to: key, origin: valueOrigin)
            } else if ConfigurationSchema.keys.contains(where: { $0.path.hasPrefix(fullPath + ".") }) {
                switch valueNode {
                case .mapping(let nested):
                    self.readMapping(nested, prefix: fullPath, path: path)
                case _ where Self.isNull(valueNode):
                    continue  // An empty section keeps its defaults.
                default:
                    self.errors.append(
                        ConfigurationError(
                            key: fullPath,
                            origin: origin,
                            message: "expected a section (a mapping of keys)"
                        )
                    )
                }
            } else {
                self.errors.append(
                    ConfigurationError(key: fullPath, origin: origin, message: Self.unknownKeyMessage(fullPath))
                )
            }
        }
    }

    private mutating func apply(node: Node, to key: ConfigurationKey, origin: ConfigurationOrigin) {
        switch key.kind {
        case .ipAddressList, .ipRangeList, .stringList:
            guard case .sequence(let sequence) = node else {
                if Self.isNull(node) {
                    self.set(key, .stringList([]), origin)
                    return
                }
                self.fail(key, origin, "expected a list (for example [\"a\", \"b\"])")
                return
            }
            var items: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item, !Self.isNull(item) else {
                    self.fail(
                        key,
                        .file(path: Self.path(of: origin), line: Self.line(of: item)),
                        "list items must be strings"
                    )
                    return
                }
                items.append(scalar.string)
            }
            self.applyList(items, to: key, origin: origin)
        case .string, .integer, .boolean, .choice:
            guard case .scalar(let scalar) = node, !Self.isNull(node) else {
                self.fail(key, origin, "expected \(Self.typeName(key.kind)), got \(Self.nodeKindName(node))")
                return
            }
            let isQuoted = scalar.style == .singleQuoted || scalar.style == .doubleQuoted
            switch key.kind {
            case .integer, .boolean:
                if isQuoted {
                    self.fail(key, origin, "expected \(Self.typeName(key.kind)), got a quoted string")
                    return
                }
            default:
                break
            }
            self.applyScalar(scalar.string, to: key, origin: origin)
        }
    }

    // MARK: - Environment and flags

    /// Reads every `SWITCHBOARD_*` variable; an unknown one is an error (a typo would otherwise go unnoticed).
    public mutating func readEnvironment(_ environment: [String: String]) {
        let keysByName = Dictionary(uniqueKeysWithValues: ConfigurationSchema.keys.map { ($0.environmentName, $0) })
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) where name.hasPrefix("SWITCHBOARD_") {
            if name == Self.fileEnvironmentName {
                continue
            }
            guard let key = keysByName[name] else {
                self.errors.append(
                    ConfigurationError(
                        key: nil,
                        origin: .environment(name: name),
                        message: "unknown environment variable (no such configuration key)"
                    )
                )
                continue
            }
            self.apply(rawValue: value, toKey: key.path, origin: .environment(name: name))
        }
    }

    /// Applies a textual value (environment variable or flag); lists are comma-separated.
    public mutating func apply(rawValue: String, toKey path: String, origin: ConfigurationOrigin) {
        guard let key = ConfigurationSchema.key(path) else {
            self.errors.append(ConfigurationError(key: path, origin: origin, message: Self.unknownKeyMessage(path)))
            return
        }
        switch key.kind {
        case .ipAddressList, .ipRangeList, .stringList:
            let items = rawValue.split(separator: ",", omittingEmptySubsequences: true).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            self.applyList(items, to: key, origin: origin)
        case .string, .integer, .boolean, .choice:
            self.applyScalar(rawValue, to: key, origin: origin)
        }
    }

    // MARK: - Typed values

    private mutating func applyScalar(_ text: String, to key: ConfigurationKey, origin: ConfigurationOrigin) {
        let shown = key.isSecret ? "(secret)" : "'\(text)'"
        switch key.kind {
        case .string(let allowEmpty):
            if !allowEmpty && text.isEmpty {
                self.fail(key, origin, "must not be empty")
                return
            }
            self.set(key, .string(text), origin)
        case .integer(let range):
            guard let value = Int(text) else {
                self.fail(key, origin, "expected an integer, got \(shown)")
                return
            }
            guard range.contains(value) else {
                self.fail(key, origin, "value \(value) is out of range \(range.lowerBound)...\(range.upperBound)")
                return
            }
            self.set(key, .integer(value), origin)
        case .boolean:
            switch text.lowercased() {
            case "true", "yes", "on", "1": self.set(key, .boolean(true), origin)
            case "false", "no", "off", "0": self.set(key, .boolean(false), origin)
            default: self.fail(key, origin, "expected true or false, got \(shown)")
            }
        case .choice(let choices):
            guard choices.contains(text) else {
                self.fail(key, origin, "expected one of \(choices.joined(separator: ", ")), got \(shown)")
                return
            }
            self.set(key, .string(text), origin)
        case .ipAddressList, .ipRangeList, .stringList:
            preconditionFailure("list keys are applied by applyList")
        }
    }

    private mutating func applyList(_ items: [String], to key: ConfigurationKey, origin: ConfigurationOrigin) {
        if case .ipAddressList = key.kind {
            for item in items where TransportAddress.IP(item) == nil {
                self.fail(key, origin, "'\(item)' is not an IPv4 or IPv6 address")
                return
            }
        }
        if case .ipRangeList = key.kind {
            for item in items where IPAddressRange(item) == nil {
                self.fail(key, origin, "'\(item)' is not an IP address or CIDR range")
                return
            }
        }
        if key.isSecret, items.contains(where: \.isEmpty) {
            self.fail(key, origin, "secrets must not be empty")
            return
        }
        self.set(key, .stringList(items), origin)
    }

    private mutating func set(_ key: ConfigurationKey, _ value: ConfigurationValue, _ origin: ConfigurationOrigin) {
        self.values[key.path] = (value, origin)
    }

    private mutating func fail(_ key: ConfigurationKey, _ origin: ConfigurationOrigin, _ message: String) {
        self.errors.append(ConfigurationError(key: key.path, origin: origin, message: message))
    }

    // MARK: - Messages

    private static func unknownKeyMessage(_ path: String) -> String {
        if let suggestion = Self.keysByLastComponent[Self.lastComponent(of: path)] {
            return "unknown key (did you mean '\(suggestion)'?)"
        }
        return "unknown key"
    }

    /// The schema's keys by their last component, lowercased, for the suggestion of an unknown key: the first in
    /// schema order where several share one. Built once, so a file of many unknown keys costs one lookup for each.
    private static let keysByLastComponent: [String: String] = {
        var table: [String: String] = [:]
        for key in ConfigurationSchema.keys {
            table[Self.lastComponent(of: key.path)] = table[Self.lastComponent(of: key.path)] ?? key.path
        }
        return table
    }()

    private static func lastComponent(of path: String) -> String {
        (path.split(separator: ".").last.map(String.init) ?? path).lowercased()
    }

    private static func typeName(_ kind: ConfigurationKey.Kind) -> String {
        switch kind {
        case .string: return "a string"
        case .integer(let range): return "an integer in \(range.lowerBound)...\(range.upperBound)"
        case .boolean: return "true or false"
        case .choice(let choices): return "one of \(choices.joined(separator: ", "))"
        case .ipAddressList: return "a list of IP addresses"
        case .ipRangeList: return "a list of IP addresses or CIDR ranges"
        case .stringList: return "a list of strings"
        }
    }

    private static func nodeKindName(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case _ where Self.isNull(node): return "nothing (null)"
        case .scalar: return "a scalar"
        case .alias: return "an alias"
        }
    }

    /// A YAML null: an empty plain scalar, `~` or `null` (YAML 1.2 core schema).
    private static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain || scalar.style == .any else {
            return false
        }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    private static func line(of node: Node) -> Int {
        node.mark?.line ?? 0
    }

    private static func path(of origin: ConfigurationOrigin) -> String {
        if case .file(let path, _) = origin {
            return path
        }
        return ""
    }

    private static func describe(yamlError: YamlError, path: String) -> ConfigurationError {
        switch yamlError {
        case .scanner(let context, let problem, let mark, _):
            return ConfigurationError(
                key: nil,
                origin: .file(path: path, line: mark.line),
                message: "invalid YAML: \(context.map { $0.text + " " } ?? "")\(problem)"
            )
        case .parser(let context, let problem, let mark, _):
            return ConfigurationError(
                key: nil,
                origin: .file(path: path, line: mark.line),
                message: "invalid YAML: \(context.map { $0.text + " " } ?? "")\(problem)"
            )
        case .composer(let context, let problem, let mark, _):
            return ConfigurationError(
                key: nil,
                origin: .file(path: path, line: mark.line),
                message: "invalid YAML: \(context.map { $0.text + " " } ?? "")\(problem)"
            )
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigurationError(
                key: duplicates.first,
                origin: .file(path: path, line: context.mark.line),
                message: "key appears more than once in one mapping"
            )
        default:
            return ConfigurationError(
                key: nil,
                origin: .file(path: path, line: 0),
                message: "invalid YAML: \(yamlError)"
            )
        }
    }
}
