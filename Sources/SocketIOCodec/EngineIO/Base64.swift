/// Standard base64 (RFC 4648 §4) for binary packets in polling payloads.
///
/// Engine.IO v4 writes a binary message in a payload as `b` + base64 of its bytes; Engine.IO v3 as `b4` + base64 when
/// the client cannot receive binary (Engine.IO v3 §"Payload"). The encoder pads with `=`, as Node's
/// `Buffer.toString("base64")` does. The decoder accepts padded and unpadded input, but nothing outside the standard
/// alphabet (no whitespace, no URL-safe characters), so garbage is an error rather than silently dropped.
enum Base64 {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8
    )

    /// Maps an ASCII byte to its 6-bit value, or `0xFF` when it is not in the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in Base64.alphabet.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        return table
    }()

    /// Appends the padded base64 text of `bytes`.
    static func encode(_ bytes: some Sequence<UInt8>, to output: inout [UInt8]) {
        let alphabet = Self.alphabet
        var group: UInt32 = 0
        var count = 0
        for byte in bytes {
            group = group << 8 | UInt32(byte)
            count += 1
            if count == 3 {
                output.append(alphabet[Int((group >> 18) & 0x3F)])
                output.append(alphabet[Int((group >> 12) & 0x3F)])
                output.append(alphabet[Int((group >> 6) & 0x3F)])
                output.append(alphabet[Int(group & 0x3F)])
                group = 0
                count = 0
            }
        }
        if count == 1 {
            output.append(alphabet[Int((group >> 2) & 0x3F)])
            output.append(alphabet[Int((group << 4) & 0x3F)])
            output.append(UInt8(ascii: "="))
            output.append(UInt8(ascii: "="))
        } else if count == 2 {
            output.append(alphabet[Int((group >> 10) & 0x3F)])
            output.append(alphabet[Int((group >> 4) & 0x3F)])
            output.append(alphabet[Int((group << 2) & 0x3F)])
            output.append(UInt8(ascii: "="))
        }
    }

    /// Decodes base64 text, or returns `nil` if it is not valid base64.
    static func decode(_ text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let table = Self.decodeTable
        var output: [UInt8] = []
        output.reserveCapacity(text.count / 4 * 3 + 2)
        var group: UInt32 = 0
        var bits = 0
        var symbols = 0
        var padding = 0
        for byte in text {
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            guard padding == 0 else {
                // Data after padding.
                return nil
            }
            let value = table[Int(byte)]
            guard value != 0xFF else {
                return nil
            }
            group = (group << 6 | UInt32(value)) & 0xFFFFFF
            bits += 6
            symbols += 1
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: group >> UInt32(bits)))
            }
        }
        let remainder = symbols % 4
        // One symbol alone cannot encode a byte.
        guard remainder != 1 else {
            return nil
        }
        if padding > 0 {
            // Padding, when present, must complete the last quantum exactly.
            guard remainder != 0, remainder + padding == 4 else {
                return nil
            }
        }
        return output
    }
}
