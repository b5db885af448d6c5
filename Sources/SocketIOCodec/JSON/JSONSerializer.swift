import NIOCore

/// Serializes ``JSONValue``s byte for byte as JavaScript's `JSON.stringify(value)` does (no indentation).
///
/// ECMA-262 §25.5.2 `JSON.stringify`:
/// - compact: no whitespace between tokens;
/// - object members in ``JSONObject`` order, arrays in order;
/// - numbers as `Number::toString` prints them, `null` for NaN and the infinities (see ``JSONNumber``);
/// - strings per §25.5.2.4 `QuoteJSONString`: `"` and `\` escaped as `\"` and `\\`; U+0008, U+0009, U+000A, U+000C
///   and U+000D as `\b`, `\t`, `\n`, `\f`, `\r`; every other code unit below U+0020 as `\u00xx` with lowercase hex;
///   lone surrogates as `\udxxx`; everything else, `/`, U+007F, U+2028 and all non-ASCII text included, written as is.
enum JSONSerializer {
    /// Appends the JSON text of `value`.
    static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
        case .bool(let flag):
            bytes.append(contentsOf: flag ? "true".utf8 : "false".utf8)
        case .number(let number):
            number.appendJSON(to: &bytes)
        case .string(let string):
            Self.appendQuoted(string, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 {
                    bytes.append(UInt8(ascii: ","))
                }
                Self.append(element, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let object):
            bytes.append(UInt8(ascii: "{"))
            for (offset, member) in object.members.enumerated() {
                if offset > 0 {
                    bytes.append(UInt8(ascii: ","))
                }
                Self.appendQuoted(member.key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                Self.append(member.value, to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        case .binary(let buffer):
            // A Node.js Buffer's `toJSON()`.
            bytes.append(contentsOf: #"{"type":"Buffer","data":["#.utf8)
            for (offset, byte) in buffer.readableBytesView.enumerated() {
                if offset > 0 {
                    bytes.append(UInt8(ascii: ","))
                }
                bytes.append(contentsOf: String(byte).utf8)
            }
            bytes.append(contentsOf: "]}".utf8)
        }
    }

    /// Appends `string` as a quoted JSON string. A Swift `String` holds no lone surrogate, so working on its UTF-8
    /// bytes gives the same result as `QuoteJSONString` on the equivalent UTF-16 code units.
    static func appendQuoted(_ string: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                bytes.append(byte)
            } else {
                Self.appendEscape(forASCII: byte, to: &bytes)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Appends UTF-16 code units (a JavaScript string, lone surrogates allowed) as a quoted JSON string.
    static func appendQuoted(utf16 codeUnits: some Sequence<UInt16>, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var pendingHigh: UInt16?
        for unit in codeUnits {
            if let high = pendingHigh {
                pendingHigh = nil
                if (0xDC00...0xDFFF).contains(unit) {
                    let scalar = 0x10000 + ((UInt32(high) - 0xD800) << 10) + (UInt32(unit) - 0xDC00)
                    UTF8Validation.append(scalar: scalar, to: &bytes)
                    continue
                }
                Self.appendUnicodeEscape(high, to: &bytes)
            }
            switch unit {
            case 0xD800...0xDBFF:
                pendingHigh = unit
            case 0xDC00...0xDFFF:
                Self.appendUnicodeEscape(unit, to: &bytes)
            case 0..<0x80:
                let byte = UInt8(unit)
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                    bytes.append(byte)
                } else {
                    Self.appendEscape(forASCII: byte, to: &bytes)
                }
            default:
                UTF8Validation.append(scalar: UInt32(unit), to: &bytes)
            }
        }
        if let high = pendingHigh {
            Self.appendUnicodeEscape(high, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(forASCII byte: UInt8, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\\"))
        switch byte {
        case UInt8(ascii: "\""):
            bytes.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"):
            bytes.append(UInt8(ascii: "\\"))
        case 0x08:
            bytes.append(UInt8(ascii: "b"))
        case 0x09:
            bytes.append(UInt8(ascii: "t"))
        case 0x0A:
            bytes.append(UInt8(ascii: "n"))
        case 0x0C:
            bytes.append(UInt8(ascii: "f"))
        case 0x0D:
            bytes.append(UInt8(ascii: "r"))
        default:
            bytes.removeLast()
            Self.appendUnicodeEscape(UInt16(byte), to: &bytes)
        }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private static func appendUnicodeEscape(_ unit: UInt16, to bytes: inout [UInt8]) {
        let hex = Self.hexDigits
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(UInt8(ascii: "u"))
        bytes.append(hex[Int(unit >> 12)])
        bytes.append(hex[Int((unit >> 8) & 0xF)])
        bytes.append(hex[Int((unit >> 4) & 0xF)])
        bytes.append(hex[Int(unit & 0xF)])
    }
}

// MARK: - Public entry points

extension JSONValue {
    /// The JSON text of the value, byte for byte what `JSON.stringify` prints for the equivalent JavaScript value.
    public func serialized() -> String {
        var bytes: [UInt8] = []
        JSONSerializer.append(self, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Writes the JSON text of the value into `buffer`.
    public func serialize(into buffer: inout ByteBuffer) {
        var bytes: [UInt8] = []
        JSONSerializer.append(self, to: &bytes)
        buffer.writeBytes(bytes)
    }

    /// The quoted JSON string `JSON.stringify` prints for a JavaScript string given as UTF-16 code units.
    ///
    /// Unlike a Swift `String`, a JavaScript string may hold lone surrogates; they are written as `\udxxx`
    /// (ECMA-262 §25.5.2.4 `QuoteJSONString`, the well-formed `JSON.stringify` of ES2019).
    public static func quotedString(utf16CodeUnits: some Sequence<UInt16>) -> String {
        var bytes: [UInt8] = []
        JSONSerializer.appendQuoted(utf16: utf16CodeUnits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}
