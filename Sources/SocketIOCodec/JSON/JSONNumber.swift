/// A JSON number, kept either as the exact literal text it was parsed from or as an `Int` or `Double`.
///
/// JavaScript has a single number type, an IEEE 754 double. This type keeps the literal (so an application can read a
/// 64-bit identifier or a decimal amount exactly through ``intValue`` or ``literal``) but serializes and compares the
/// way JavaScript would: by the double the literal denotes, formatted as `Number.prototype.toString` does
/// (ECMA-262 §6.1.6.1.20 `Number::toString`). So `1.0` serializes as `1`, `1E2` as `100`, `-0` as `0`, and a literal
/// that overflows to infinity (`1e400`) as `null`, exactly like `JSON.stringify(JSON.parse(text))`.
///
/// Two numbers are equal when JavaScript could not tell them apart, that is when their double values are equal
/// (`0` equals `-0`; NaN equals NaN so that the type stays a lawful `Hashable`).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral
{
    private enum Storage: Sendable {
        case int(Int)
        case double(Double)
        case literal(String)
    }

    private let storage: Storage

    /// Creates a number from an integer.
    ///
    /// Integers beyond ±2^53 cannot all be represented by a JavaScript number; they serialize as JavaScript would
    /// print the nearest double (`9223372036854775807` serializes as `9223372036854776000`).
    public init(_ value: Int) {
        self.storage = .int(value)
    }

    /// Creates a number from a double. NaN and the infinities serialize as `null`, as in `JSON.stringify`.
    public init(_ value: Double) {
        self.storage = .double(value)
    }

    /// Creates a number from JSON number text (RFC 8259 §6), keeping the text.
    ///
    /// Returns `nil` if `literal` is not exactly one JSON number (no surrounding whitespace, no `+`, no leading zeros,
    /// no `NaN` or `Infinity`).
    public init?(literal: String) {
        guard JSONNumber.isValidLiteral(literal.utf8) else {
            return nil
        }
        self.storage = .literal(literal)
    }

    /// Creates a number from literal text already validated by the parser.
    init(validatedLiteral literal: String) {
        self.storage = .literal(literal)
    }

    public init(integerLiteral value: Int) {
        self.storage = .int(value)
    }

    public init(floatLiteral value: Double) {
        self.storage = .double(value)
    }

    /// The literal text this number was parsed from, if it was parsed and was not a plain integer that fits `Int`.
    public var literal: String? {
        if case .literal(let text) = self.storage {
            return text
        }
        return nil
    }

    /// The value as JavaScript sees it: the double nearest to the literal, or the integer converted to a double.
    public var doubleValue: Double {
        switch self.storage {
        case .int(let value):
            return Double(value)
        case .double(let value):
            return value
        case .literal(let text):
            // The literal is a valid JSON number, which is always valid input for `Double.init(_:)`. Overflow gives
            // ±infinity, like JavaScript's `JSON.parse`.
            return Double(text) ?? .nan
        }
    }

    /// The exact integer value, when the number is an integer that fits `Int`.
    ///
    /// For an integer literal the digits are read exactly (no rounding through a double). For other forms
    /// (`1.0`, `1e3`, or a double) the value is returned when it is integral and exactly representable.
    public var intValue: Int? {
        switch self.storage {
        case .int(let value):
            return value
        case .double(let value):
            return JSONNumber.exactInt(value)
        case .literal(let text):
            if let exact = Int(text) {
                return exact
            }
            return JSONNumber.exactInt(self.doubleValue)
        }
    }

    /// The number formatted as JavaScript's `JSON.stringify` formats it (`null` for NaN and the infinities).
    public var description: String {
        var bytes: [UInt8] = []
        self.appendJSON(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the `JSON.stringify` form of the number.
    func appendJSON(to bytes: inout [UInt8]) {
        switch self.storage {
        case .int(let value):
            // Every integer of magnitude up to 2^53 is an exact double, and `Number::toString` prints it with plain
            // digits (it only switches to exponent notation at 1e21).
            if value.magnitude <= 1 << 53 {
                bytes.append(contentsOf: String(value).utf8)
            } else {
                JavaScriptNumberFormatter.append(Double(value), to: &bytes)
            }
        case .double(let value):
            JavaScriptNumberFormatter.append(value, to: &bytes)
        case .literal:
            JavaScriptNumberFormatter.append(self.doubleValue, to: &bytes)
        }
    }

    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        let left = lhs.doubleValue
        let right = rhs.doubleValue
        if left.isNaN || right.isNaN {
            return left.isNaN && right.isNaN
        }
        return left == right
    }

    public func hash(into hasher: inout Hasher) {
        let value = self.doubleValue
        if value.isNaN {
            hasher.combine(0x7FF8_0000_0000_0000 as UInt64)
        } else {
            // `Double`'s own hashing already treats 0 and -0 alike, matching `==`.
            hasher.combine(value)
        }
    }

    private static func exactInt(_ value: Double) -> Int? {
        guard value.isFinite, value.rounded(.towardZero) == value,
            value >= -9_223_372_036_854_775_808.0, value < 9_223_372_036_854_775_808.0
        else {
            return nil
        }
        return Int(value)
    }

    /// Checks the RFC 8259 §6 number grammar:
    /// `[ minus ] int [ frac ] [ exp ]`, `int = zero / ( digit1-9 *DIGIT )`.
    static func isValidLiteral(_ text: some Collection<UInt8>) -> Bool {
        var iterator = text.makeIterator()
        var next = iterator.next()
        if next == UInt8(ascii: "-") {
            next = iterator.next()
        }
        guard let first = next, first.isASCIIDigit else {
            return false
        }
        next = iterator.next()
        if first != UInt8(ascii: "0") {
            while let byte = next, byte.isASCIIDigit {
                next = iterator.next()
            }
        }
        if next == UInt8(ascii: ".") {
            next = iterator.next()
            guard let byte = next, byte.isASCIIDigit else {
                return false
            }
            while let byte = next, byte.isASCIIDigit {
                next = iterator.next()
            }
        }
        if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
            next = iterator.next()
            if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") {
                next = iterator.next()
            }
            guard let byte = next, byte.isASCIIDigit else {
                return false
            }
            while let byte = next, byte.isASCIIDigit {
                next = iterator.next()
            }
        }
        return next == nil
    }
}

extension UInt8 {
    /// Whether the byte is an ASCII decimal digit `0`–`9`.
    var isASCIIDigit: Bool {
        self >= UInt8(ascii: "0") && self <= UInt8(ascii: "9")
    }
}
