import STUNCodec
import TURNServer

/// The value of every key after the loader's layers, with where it came from; the component configurations
/// (``STUNConfiguration``, ``TURNConfiguration``, ...) read their keys through its typed accessors, the one place
/// a key is looked up by its path.
///
/// The loader checked each value against the schema, so a wrong type here is a loader bug: it becomes a
/// ``ConfigurationError`` naming the key, never a crash. A key the loader did not set reads as its default.
public struct ConfigurationValues: Sendable {
    typealias Entry = (value: ConfigurationValue, origin: ConfigurationOrigin)

    private let entries: [String: Entry]

    init(_ entries: [String: Entry]) {
        self.entries = entries
    }

    /// Values without their origins, such as those a reload keeps in force (``byPath``).
    init(byPath values: [String: ConfigurationValue]) {
        self.entries = values.mapValues { ($0, .defaultValue) }
    }

    /// Every key's value by path, for comparing two configurations (``ConfigurationReloadPlan``).
    public var byPath: [String: ConfigurationValue] {
        self.entries.mapValues(\.value)
    }

    /// Where the value of `path` came from.
    func origin(_ path: String) -> ConfigurationOrigin {
        self.entries[path]?.origin ?? .defaultValue
    }

    /// Where the first of `paths` that is not at its default was set: the line a cross-key error points at.
    func setOrigin(of paths: [String]) -> ConfigurationOrigin {
        paths.lazy.map(self.origin).first { $0 != .defaultValue } ?? .defaultValue
    }

    /// An error about `path`, pointing at where its value was set.
    func error(_ path: String, _ message: String) -> ConfigurationError {
        ConfigurationError(key: path, origin: self.origin(path), message: message)
    }

    func string(_ path: String) throws(ConfigurationError) -> String {
        guard case .string(let text) = try self.value(path) else {
            throw self.mismatch(path, "a string")
        }
        return text
    }

    /// A string key where `""` means "not set".
    func optionalString(_ path: String) throws(ConfigurationError) -> String? {
        let text = try self.string(path)
        return text.isEmpty ? nil : text
    }

    /// A `choice` key as its typed value (the schema's choices are the type's raw values).
    func choice<Value>(_ path: String, _ parse: (String) -> Value?) throws(ConfigurationError) -> Value {
        let text = try self.string(path)
        guard let value = parse(text) else {
            throw self.error(path, "'\(text)' is not one of the choices")
        }
        return value
    }

    func integer(_ path: String) throws(ConfigurationError) -> Int {
        guard case .integer(let number) = try self.value(path) else {
            throw self.mismatch(path, "an integer")
        }
        return number
    }

    func boolean(_ path: String) throws(ConfigurationError) -> Bool {
        guard case .boolean(let flag) = try self.value(path) else {
            throw self.mismatch(path, "true or false")
        }
        return flag
    }

    func list(_ path: String) throws(ConfigurationError) -> [String] {
        guard case .stringList(let items) = try self.value(path) else {
            throw self.mismatch(path, "a list")
        }
        return items
    }

    /// A list of IP addresses (a key of kind `ipAddressList`).
    func addresses(_ path: String) throws(ConfigurationError) -> [TransportAddress.IP] {
        try self.list(path).map { (item) throws(ConfigurationError) in
            guard let ip = TransportAddress.IP(item) else {
                throw self.error(path, "'\(item)' is not an IPv4 or IPv6 address")
            }
            return ip
        }
    }

    /// A list of IP addresses or CIDR ranges (a key of kind `ipRangeList`).
    func ranges(_ path: String) throws(ConfigurationError) -> [IPAddressRange] {
        try self.list(path).map { (item) throws(ConfigurationError) in
            guard let range = IPAddressRange(item) else {
                throw self.error(path, "'\(item)' is not an IP address or CIDR range")
            }
            return range
        }
    }

    private func value(_ path: String) throws(ConfigurationError) -> ConfigurationValue {
        if let entry = self.entries[path] {
            return entry.value
        }
        guard let key = ConfigurationSchema.key(path) else {
            throw ConfigurationError(key: path, origin: .defaultValue, message: "is not a key of the schema")
        }
        return key.defaultValue
    }

    /// The loader stored a value of another type than the schema declares; the value itself may be a secret.
    private func mismatch(_ path: String, _ expected: String) -> ConfigurationError {
        self.error(path, "expected \(expected) (the value loaded has another type)")
    }
}

extension ConfigurationValues {
    /// A per-address cap above the total could never apply: most likely two values swapped.
    func checkCap(_ perAddressPath: String, _ perAddress: Int, under totalPath: String) throws(ConfigurationError) {
        let total = try self.integer(totalPath)
        if total > 0 && perAddress > total {
            throw self.error(perAddressPath, "\(perAddress) is above \(totalPath) (\(total))")
        }
    }
}
