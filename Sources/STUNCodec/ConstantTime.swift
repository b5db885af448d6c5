/// Comparisons whose running time does not depend on where two secrets first differ.
///
/// RFC 8489 §14.5 integrity checks compare HMACs with these, so that a forger cannot learn a valid HMAC byte by
/// byte from response timing. The server uses them for any other secret comparison too.
public enum ConstantTime {
    /// Whether `lhs` and `rhs` hold the same bytes.
    ///
    /// Only the lengths are compared early (they are not secret); the contents are always compared in full.
    @inlinable
    public static func equals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
        guard lhs.count == rhs.count else {
            return false
        }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) {
            difference |= left ^ right
        }
        return difference == 0
    }
}
