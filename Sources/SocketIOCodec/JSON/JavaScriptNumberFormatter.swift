/// Formats doubles exactly as JavaScript's `Number.prototype.toString()` (radix 10) and `JSON.stringify` do.
///
/// ECMA-262 §6.1.6.1.20 `Number::toString(x)`: let `n`, `k` and `s` be integers such that `k ≥ 1`,
/// `10^(k-1) ≤ s < 10^k`, `s × 10^(n-k)` is `x`, and `k` is as small as possible. Then:
/// - `k ≤ n ≤ 21`: the `k` digits of `s` followed by `n - k` zeros (`1e20` → `100000000000000000000`);
/// - `0 < n ≤ 21`: the first `n` digits, a `.`, then the remaining `k - n` digits (`123.456`);
/// - `-6 < n ≤ 0`: `0.`, `-n` zeros, then the digits (`0.000001`);
/// - otherwise exponent notation: one digit, `.` and the other digits if `k > 1`, then `e`, the sign of `n - 1`
///   (always written, `+` included) and its magnitude (`1e+21`, `1.5e-7`).
///
/// `JSON.stringify` (ECMA-262 §25.5.2.3 `SerializeJSONProperty`) writes `null` for NaN and the infinities, and
/// `Number::toString` writes `0` for `-0`.
///
/// The shortest round-trip digit string (`s` and `k`) comes from Swift's own `description`, which produces the
/// shortest digits that round-trip, choosing the closest when several qualify: the same requirement as ECMA-262.
/// Only the layout is done here.
enum JavaScriptNumberFormatter {
    /// Appends the JavaScript text of `value` (`null` if it is not finite).
    static func append(_ value: Double, to bytes: inout [UInt8]) {
        guard value.isFinite else {
            bytes.append(contentsOf: "null".utf8)
            return
        }
        if value == 0 {
            // Covers -0 as well.
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var digits: [UInt8] = []
        digits.reserveCapacity(17)
        let n = Self.shortestDigits(of: value.magnitude, into: &digits)
        if value < 0 {
            bytes.append(UInt8(ascii: "-"))
        }
        Self.layout(digits: digits, pointPosition: n, to: &bytes)
    }

    /// Returns the JavaScript text of `value`.
    static func string(_ value: Double) -> String {
        var bytes: [UInt8] = []
        Self.append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Lays out the decimal digits `digits` (no leading or trailing zeros) of a value `0.digits × 10^pointPosition`.
    static func layout(digits: [UInt8], pointPosition n: Int, to bytes: inout [UInt8]) {
        let k = digits.count
        if k <= n && n <= 21 {
            bytes.append(contentsOf: digits)
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            bytes.append(contentsOf: digits[0..<n])
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: digits[n...])
        } else if -6 < n && n <= 0 {
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            bytes.append(contentsOf: digits)
        } else {
            bytes.append(digits[0])
            if k > 1 {
                bytes.append(UInt8(ascii: "."))
                bytes.append(contentsOf: digits[1...])
            }
            bytes.append(UInt8(ascii: "e"))
            let exponent = n - 1
            bytes.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            bytes.append(contentsOf: String(exponent.magnitude).utf8)
        }
    }

    /// Writes the shortest round-trip decimal digits of a finite, positive `value` into `digits` (no leading or
    /// trailing zeros) and returns `n` such that `value = 0.digits × 10^n`.
    ///
    /// Swift's `description` prints forms such as `123.456`, `1e-07`, `1.2345e+20`, `5e-324` or `100.0`; all of them
    /// are `<integer part>[.<fraction>][e<exponent>]`, which this reads back into digits and a point position.
    private static func shortestDigits(of value: Double, into digits: inout [UInt8]) -> Int {
        var integerDigitCount = 0
        var seenPoint = false
        var exponent = 0
        var exponentSign = 1
        var inExponent = false
        for byte in value.description.utf8 {
            if inExponent {
                if byte == UInt8(ascii: "-") {
                    exponentSign = -1
                } else if byte.isASCIIDigit {
                    exponent = exponent * 10 + Int(byte - UInt8(ascii: "0"))
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "."):
                seenPoint = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                if !seenPoint {
                    integerDigitCount += 1
                }
            default:
                break
            }
        }
        var n = integerDigitCount + exponentSign * exponent
        // Strip leading zeros ("0.001" has digits "0001"): each one moves the point one place right.
        var leadingZeros = 0
        while leadingZeros < digits.count && digits[leadingZeros] == UInt8(ascii: "0") {
            leadingZeros += 1
        }
        if leadingZeros > 0 {
            digits.removeFirst(leadingZeros)
            n -= leadingZeros
        }
        while let last = digits.last, last == UInt8(ascii: "0") {
            digits.removeLast()
        }
        return n
    }
}
