import NIOCore

/// Bytes from a hex string; whitespace is ignored (so test vectors can be laid out as in their RFC).
public func hexBytes(_ hex: String) -> [UInt8] {
    let digits = hex.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { index in
        UInt8(String(digits[index...index + 1]), radix: 16)!
    }
}

/// A ByteBuffer from a hex string; whitespace is ignored.
public func hexBuffer(_ hex: String) -> ByteBuffer {
    ByteBuffer(bytes: hexBytes(hex))
}

/// Lowercase hex of some bytes.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { byte in
        let digits = String(byte, radix: 16)
        return digits.count == 1 ? "0" + digits : digits
    }.joined()
}
