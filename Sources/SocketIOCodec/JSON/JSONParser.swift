import NIOCore

/// A strict RFC 8259 JSON parser over UTF-8 bytes.
///
/// - Grammar: RFC 8259 §2–§7 exactly: no comments, no trailing commas, no leading zeros, no `NaN`, no single quotes,
///   only the four whitespace characters of §2, unescaped control characters rejected in strings (§7), any value at
///   the top level, and only whitespace after it.
/// - Semantics: those of JavaScript's `JSON.parse`: duplicate keys keep their first position and last value, array
///   index keys come first (see ``JSONObject``). A `\u` escape of a lone surrogate, which a Swift `String` cannot
///   hold, becomes U+FFFD (as `TextDecoder` does).
/// - Safety: every read is bounds-checked, nesting is limited by `maxDepth`, and errors are thrown, never trapped.
///
/// The parser can also check syntax without building values (``skipValue(depth:)``), which the Socket.IO decoder
/// uses to validate payloads it keeps as text.
struct JSONParser {
    /// The coarse kind of a JSON value.
    enum Kind: Equatable {
        case null
        case bool
        case number
        case string
        case array
        case object
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    private let maxDepth: Int

    /// Creates a parser over bytes that are already known to be valid UTF-8.
    init(validUTF8 bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.position = 0
        self.maxDepth = maxDepth
    }

    // MARK: - Entry points

    /// Parses one complete JSON text.
    mutating func parseDocument() throws(SocketIOCodecError) -> JSONValue {
        let value = try self.parseValue(depth: 0)
        try self.expectEnd()
        return value
    }

    /// Throws unless only whitespace remains.
    mutating func expectEnd() throws(SocketIOCodecError) {
        self.skipWhitespace()
        guard self.position == self.bytes.count else {
            throw SocketIOCodecError.invalidJSON.at(self.position)
        }
    }

    // MARK: - Primitives

    private var error: SocketIOCodecError {
        SocketIOCodecError.invalidJSON.at(self.position)
    }

    /// The byte at the current position, or `nil` at the end.
    func peek() -> UInt8? {
        self.position < self.bytes.count ? self.bytes[self.position] : nil
    }

    mutating func skipWhitespace() {
        while self.position < self.bytes.count {
            switch self.bytes[self.position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                self.position += 1
            default:
                return
            }
        }
    }

    /// Consumes `byte` or throws.
    mutating func expect(_ byte: UInt8) throws(SocketIOCodecError) {
        guard self.peek() == byte else {
            throw self.error
        }
        self.position += 1
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(SocketIOCodecError) {
        let count = literal.utf8CodeUnitCount
        guard self.bytes.count - self.position >= count else {
            throw self.error
        }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for offset in 0..<count where self.bytes[self.position + offset] != expected[offset] {
            throw SocketIOCodecError.invalidJSON.at(self.position + offset)
        }
        self.position += count
    }

    // MARK: - Building values

    /// Parses a value, skipping leading whitespace. `depth` is the nesting depth of the enclosing container.
    mutating func parseValue(depth: Int) throws(SocketIOCodecError) -> JSONValue {
        self.skipWhitespace()
        guard let byte = self.peek() else {
            throw self.error
        }
        switch byte {
        case UInt8(ascii: "{"):
            return .object(try self.parseObject(depth: depth + 1))
        case UInt8(ascii: "["):
            return .array(try self.parseArray(depth: depth + 1))
        case UInt8(ascii: "\""):
            return .string(try self.parseString())
        case UInt8(ascii: "t"):
            try self.expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try self.expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try self.expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try self.parseNumber())
        default:
            throw self.error
        }
    }

    private mutating func parseArray(depth: Int) throws(SocketIOCodecError) -> [JSONValue] {
        guard depth <= self.maxDepth else {
            throw SocketIOCodecError.jsonNestingTooDeep.at(self.position)
        }
        try self.expect(UInt8(ascii: "["))
        var elements: [JSONValue] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.position += 1
            return elements
        }
        while true {
            elements.append(try self.parseValue(depth: depth))
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.position += 1
            case UInt8(ascii: "]"):
                self.position += 1
                return elements
            default:
                throw self.error
            }
        }
    }

    private mutating func parseObject(depth: Int) throws(SocketIOCodecError) -> JSONObject {
        guard depth <= self.maxDepth else {
            throw SocketIOCodecError.jsonNestingTooDeep.at(self.position)
        }
        try self.expect(UInt8(ascii: "{"))
        var pairs: [(String, JSONValue)] = []
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "}") {
            self.position += 1
            return JSONObject()
        }
        while true {
            self.skipWhitespace()
            let key = try self.parseString()
            self.skipWhitespace()
            try self.expect(UInt8(ascii: ":"))
            let value = try self.parseValue(depth: depth)
            pairs.append((key, value))
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.position += 1
            case UInt8(ascii: "}"):
                self.position += 1
                return JSONObject(pairs)
            default:
                throw self.error
            }
        }
    }

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(SocketIOCodecError) -> String {
        try self.expect(UInt8(ascii: "\""))
        let start = self.position
        // Fast path: no escape, which is the common case.
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            if byte == UInt8(ascii: "\"") {
                let string = self.bytes.string(start..<self.position)
                self.position += 1
                return string
            }
            if byte == UInt8(ascii: "\\") {
                break
            }
            guard byte >= 0x20 else {
                throw self.error
            }
            self.position += 1
        }
        var decoded = Array(UnsafeBufferPointer(rebasing: self.bytes[start..<self.position]))
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                return String(decoding: decoded, as: UTF8.self)
            case UInt8(ascii: "\\"):
                self.position += 1
                try self.appendEscape(to: &decoded)
            case 0..<0x20:
                throw self.error
            default:
                decoded.append(byte)
                self.position += 1
            }
        }
        throw self.error
    }

    /// Decodes the escape after a backslash (RFC 8259 §7).
    private mutating func appendEscape(to decoded: inout [UInt8]) throws(SocketIOCodecError) {
        guard let byte = self.peek() else {
            throw self.error
        }
        self.position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            decoded.append(byte)
        case UInt8(ascii: "b"):
            decoded.append(0x08)
        case UInt8(ascii: "f"):
            decoded.append(0x0C)
        case UInt8(ascii: "n"):
            decoded.append(0x0A)
        case UInt8(ascii: "r"):
            decoded.append(0x0D)
        case UInt8(ascii: "t"):
            decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try self.readHex4()
            switch unit {
            case 0xD800...0xDBFF:
                // A high surrogate: combine it with a following `\uDC00`–`\uDFFF`, if there is one.
                if self.bytes.count - self.position >= 6, self.bytes[self.position] == UInt8(ascii: "\\"),
                    self.bytes[self.position + 1] == UInt8(ascii: "u")
                {
                    let saved = self.position
                    self.position += 2
                    let low = try self.readHex4()
                    if (0xDC00...0xDFFF).contains(low) {
                        let scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        UTF8Validation.append(scalar: scalar, to: &decoded)
                        return
                    }
                    self.position = saved
                }
                UTF8Validation.append(scalar: 0xFFFD, to: &decoded)
            case 0xDC00...0xDFFF:
                UTF8Validation.append(scalar: 0xFFFD, to: &decoded)
            default:
                UTF8Validation.append(scalar: UInt32(unit), to: &decoded)
            }
        default:
            throw SocketIOCodecError.invalidJSON.at(self.position - 1)
        }
    }

    private mutating func readHex4() throws(SocketIOCodecError) -> UInt16 {
        guard self.bytes.count - self.position >= 4 else {
            throw self.error
        }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = self.bytes[self.position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"):
                digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"):
                digit = byte - UInt8(ascii: "A") + 10
            default:
                throw self.error
            }
            value = value << 4 | UInt16(digit)
            self.position += 1
        }
        return value
    }

    /// Scans a number (RFC 8259 §6) and returns its byte range and whether it is a plain integer.
    private mutating func scanNumber() throws(SocketIOCodecError) -> (range: Range<Int>, isInteger: Bool) {
        let start = self.position
        var isInteger = true
        if self.peek() == UInt8(ascii: "-") {
            self.position += 1
        }
        guard let first = self.peek(), first.isASCIIDigit else {
            throw self.error
        }
        self.position += 1
        if first != UInt8(ascii: "0") {
            self.skipDigits()
        }
        if self.peek() == UInt8(ascii: ".") {
            isInteger = false
            self.position += 1
            guard let digit = self.peek(), digit.isASCIIDigit else {
                throw self.error
            }
            self.skipDigits()
        }
        if self.peek() == UInt8(ascii: "e") || self.peek() == UInt8(ascii: "E") {
            isInteger = false
            self.position += 1
            if self.peek() == UInt8(ascii: "+") || self.peek() == UInt8(ascii: "-") {
                self.position += 1
            }
            guard let digit = self.peek(), digit.isASCIIDigit else {
                throw self.error
            }
            self.skipDigits()
        }
        return (start..<self.position, isInteger)
    }

    private mutating func skipDigits() {
        while let byte = self.peek(), byte.isASCIIDigit {
            self.position += 1
        }
    }

    private mutating func parseNumber() throws(SocketIOCodecError) -> JSONNumber {
        let (range, isInteger) = try self.scanNumber()
        // Plain integers of up to 18 digits always fit `Int`: keep them as integers, without a string.
        if isInteger && range.count <= 18 {
            var value = 0
            var negative = false
            for index in range {
                let byte = self.bytes[index]
                if byte == UInt8(ascii: "-") {
                    negative = true
                } else {
                    value = value * 10 + Int(byte - UInt8(ascii: "0"))
                }
            }
            return JSONNumber(negative ? -value : value)
        }
        return JSONNumber(validatedLiteral: self.bytes.string(range))
    }

    // MARK: - Validating without building

    /// Checks the syntax of a value without building it, and returns its kind.
    mutating func skipValue(depth: Int) throws(SocketIOCodecError) -> Kind {
        self.skipWhitespace()
        guard let byte = self.peek() else {
            throw self.error
        }
        switch byte {
        case UInt8(ascii: "{"):
            try self.skipContainer(depth: depth + 1, open: UInt8(ascii: "{"), close: UInt8(ascii: "}"))
            return .object
        case UInt8(ascii: "["):
            try self.skipContainer(depth: depth + 1, open: UInt8(ascii: "["), close: UInt8(ascii: "]"))
            return .array
        case UInt8(ascii: "\""):
            try self.skipString()
            return .string
        case UInt8(ascii: "t"):
            try self.expectLiteral("true")
            return .bool
        case UInt8(ascii: "f"):
            try self.expectLiteral("false")
            return .bool
        case UInt8(ascii: "n"):
            try self.expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            _ = try self.scanNumber()
            return .number
        default:
            throw self.error
        }
    }

    /// Skips an array or object, starting at its opening bracket.
    private mutating func skipContainer(depth: Int, open: UInt8, close: UInt8) throws(SocketIOCodecError) {
        guard depth <= self.maxDepth else {
            throw SocketIOCodecError.jsonNestingTooDeep.at(self.position)
        }
        try self.expect(open)
        self.skipWhitespace()
        if self.peek() == close {
            self.position += 1
            return
        }
        while true {
            if open == UInt8(ascii: "{") {
                self.skipWhitespace()
                try self.skipString()
                self.skipWhitespace()
                try self.expect(UInt8(ascii: ":"))
            }
            _ = try self.skipValue(depth: depth)
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.position += 1
            case close:
                self.position += 1
                return
            default:
                throw self.error
            }
        }
    }

    /// Skips a string starting at its opening quote, checking its escapes.
    private mutating func skipString() throws(SocketIOCodecError) {
        try self.expect(UInt8(ascii: "\""))
        while self.position < self.bytes.count {
            let byte = self.bytes[self.position]
            switch byte {
            case UInt8(ascii: "\""):
                self.position += 1
                return
            case UInt8(ascii: "\\"):
                self.position += 1
                guard let escaped = self.peek() else {
                    throw self.error
                }
                self.position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"):
                    _ = try self.readHex4()
                default:
                    throw SocketIOCodecError.invalidJSON.at(self.position - 1)
                }
            case 0..<0x20:
                throw self.error
            default:
                self.position += 1
            }
        }
        throw self.error
    }

    /// Validates a whole JSON text and describes its top level: its kind and, for an array, the kind of its first
    /// element and that element's value when it is a string. This is what Socket.IO payload validation needs
    /// (Socket.IO v5 §"Exchange protocol"), without building the rest of the value.
    mutating func inspectDocument() throws(SocketIOCodecError) -> (
        kind: Kind, firstElement: Kind?, firstString: String?
    ) {
        self.skipWhitespace()
        guard self.peek() == UInt8(ascii: "[") else {
            let kind = try self.skipValue(depth: 0)
            try self.expectEnd()
            return (kind, nil, nil)
        }
        guard self.maxDepth >= 1 else {
            throw SocketIOCodecError.jsonNestingTooDeep.at(self.position)
        }
        self.position += 1
        self.skipWhitespace()
        if self.peek() == UInt8(ascii: "]") {
            self.position += 1
            try self.expectEnd()
            return (.array, nil, nil)
        }
        var firstKind: Kind
        var firstString: String?
        if self.peek() == UInt8(ascii: "\"") {
            firstString = try self.parseString()
            firstKind = .string
        } else {
            firstKind = try self.skipValue(depth: 1)
        }
        while true {
            self.skipWhitespace()
            switch self.peek() {
            case UInt8(ascii: ","):
                self.position += 1
                _ = try self.skipValue(depth: 1)
            case UInt8(ascii: "]"):
                self.position += 1
                try self.expectEnd()
                return (.array, firstKind, firstString)
            default:
                throw self.error
            }
        }
    }
}

// MARK: - Public entry points

extension JSONValue {
    /// Parses JSON text (RFC 8259) with the semantics of JavaScript's `JSON.parse`.
    ///
    /// - Parameters:
    ///   - text: the JSON text; whitespace may surround the value, nothing else.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted. The parser recurses once per level, so keep
    ///     it in the hundreds.
    /// - Throws: ``SocketIOCodecError/invalidJSON`` or ``SocketIOCodecError/jsonNestingTooDeep``.
    public init(parsing text: String, maxDepth: Int = JSONValue.defaultMaxDepth) throws(SocketIOCodecError) {
        self = try text.withUTF8Bytes { bytes throws(SocketIOCodecError) in
            var parser = JSONParser(validUTF8: bytes, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses JSON text held in a substring.
    public init(parsing text: Substring, maxDepth: Int = JSONValue.defaultMaxDepth) throws(SocketIOCodecError) {
        self = try text.withUTF8Bytes { bytes throws(SocketIOCodecError) in
            var parser = JSONParser(validUTF8: bytes, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses the readable bytes of a buffer as UTF-8 JSON text.
    ///
    /// - Throws: ``SocketIOCodecError/invalidUTF8`` if the bytes are not UTF-8, or a JSON error.
    public init(parsing buffer: ByteBuffer, maxDepth: Int = JSONValue.defaultMaxDepth) throws(SocketIOCodecError) {
        self = try buffer.withUnsafeReadableBytes { raw throws(SocketIOCodecError) in
            let bytes = raw.bindMemory(to: UInt8.self)
            guard UTF8Validation.isValid(bytes) else {
                throw SocketIOCodecError.invalidUTF8
            }
            var parser = JSONParser(validUTF8: bytes, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }
}
