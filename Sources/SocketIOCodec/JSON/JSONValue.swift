import NIOCore

/// A JSON value that round-trips the way JavaScript's `JSON.parse` and `JSON.stringify` do.
///
/// - Numbers keep their literal text (see ``JSONNumber``) but serialize as JavaScript prints them.
/// - Objects are ordered (see ``JSONObject``), with JavaScript's property order.
/// - ``binary(_:)`` is not JSON: it stands for a Node.js `Buffer` inside Socket.IO event arguments. The codec puts it
///   in place of `{"_placeholder":true,"num":N}` when it reassembles a binary packet, and takes it out again when it
///   builds one (Socket.IO v5 §"Packet encoding", binary attachments). Serialized directly, it is written as
///   `JSON.stringify` writes a `Buffer`: `{"type":"Buffer","data":[1,2,3]}`.
///
/// Parse with ``init(parsing:maxDepth:)``; serialize with ``serialized()``.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
    /// Bytes carried as a Socket.IO binary attachment; never produced by the JSON parser.
    case binary(ByteBuffer)

    /// The default nesting limit of the parser: arrays and objects deeper than this are rejected.
    public static let defaultMaxDepth = 128

    // MARK: - Accessors

    /// The string, if this is a string.
    public var stringValue: String? {
        if case .string(let value) = self {
            return value
        }
        return nil
    }

    /// The boolean, if this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let value) = self {
            return value
        }
        return nil
    }

    /// The number, if this is a number.
    public var numberValue: JSONNumber? {
        if case .number(let value) = self {
            return value
        }
        return nil
    }

    /// The exact integer, if this is a number with an integer value that fits `Int`.
    public var intValue: Int? {
        self.numberValue?.intValue
    }

    /// The elements, if this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self {
            return value
        }
        return nil
    }

    /// The object, if this is an object.
    public var objectValue: JSONObject? {
        if case .object(let value) = self {
            return value
        }
        return nil
    }

    /// The bytes, if this is a binary attachment.
    public var binaryValue: ByteBuffer? {
        if case .binary(let value) = self {
            return value
        }
        return nil
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self {
            return true
        }
        return false
    }

    /// The member `key` of an object, or `nil` (also when this is not an object).
    public subscript(key: String) -> JSONValue? {
        self.objectValue?[key]
    }

    /// The element at `index` of an array, or `nil` (also when out of range or not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let elements) = self, elements.indices.contains(index) else {
            return nil
        }
        return elements[index]
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) {
        self = .null
    }

    public init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    public init(integerLiteral value: Int) {
        self = .number(JSONNumber(value))
    }

    public init(floatLiteral value: Double) {
        self = .number(JSONNumber(value))
    }

    public init(stringLiteral value: String) {
        self = .string(value)
    }

    public init(arrayLiteral elements: JSONValue...) {
        self = .array(elements)
    }

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}
