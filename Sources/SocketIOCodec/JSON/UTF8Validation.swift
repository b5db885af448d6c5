/// UTF-8 helpers shared by the decoders: validation without allocation, and scalar encoding.
enum UTF8Validation {
    /// Whether `bytes` is well-formed UTF-8 (Unicode §3.9, table 3-7): no overlong forms, no surrogates, nothing past
    /// U+10FFFF, no truncated sequence.
    static func isValid(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let width: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF:
                width = 2
            case 0xE0:
                width = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF:
                width = 3
            case 0xED:
                width = 3
                upper = 0x9F
            case 0xF0:
                width = 4
                lower = 0x90
            case 0xF1...0xF3:
                width = 4
            case 0xF4:
                width = 4
                upper = 0x8F
            default:
                return false
            }
            guard count - index >= width else {
                return false
            }
            let second = bytes[index + 1]
            guard second >= lower && second <= upper else {
                return false
            }
            var offset = 2
            while offset < width {
                guard bytes[index + offset] & 0xC0 == 0x80 else {
                    return false
                }
                offset += 1
            }
            index += width
        }
        return true
    }

    /// The length in bytes of the UTF-8 sequence that starts with `lead`, for input already known to be valid.
    static func sequenceLength(lead: UInt8) -> Int {
        if lead < 0x80 {
            return 1
        } else if lead < 0xE0 {
            return 2
        } else if lead < 0xF0 {
            return 3
        } else {
            return 4
        }
    }

    /// Appends the UTF-8 encoding of a Unicode scalar value.
    static func append(scalar value: UInt32, to bytes: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            bytes.append(UInt8(value))
        case 0x80..<0x800:
            bytes.append(UInt8(0xC0 | (value >> 6)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            bytes.append(UInt8(0xE0 | (value >> 12)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        default:
            bytes.append(UInt8(0xF0 | ((value >> 18) & 0x07)))
            bytes.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            bytes.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            bytes.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}

extension String {
    /// Calls `body` with the UTF-8 bytes of the string (contiguous, without a copy for native strings), passing a
    /// typed error through.
    func withUTF8Bytes<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(SocketIOCodecError) -> Result
    ) throws(SocketIOCodecError) -> Result {
        var copy = self
        let outcome = copy.withUTF8 { bytes in
            Swift.Result { () throws(SocketIOCodecError) -> Result in try body(bytes) }
        }
        return try outcome.get()
    }
}

extension Substring {
    /// Calls `body` with the UTF-8 bytes of the substring, passing a typed error through.
    func withUTF8Bytes<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(SocketIOCodecError) -> Result
    ) throws(SocketIOCodecError) -> Result {
        var copy = self
        let outcome = copy.withUTF8 { bytes in
            Swift.Result { () throws(SocketIOCodecError) -> Result in try body(bytes) }
        }
        return try outcome.get()
    }
}

extension UnsafeBufferPointer where Element == UInt8 {
    /// Makes a `String` from a byte range already known to be valid UTF-8.
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: self[range]), as: UTF8.self)
    }
}
