import Foundation

/// SASLprep (RFC 4013), the stringprep (RFC 3454) profile RFC 5389 applies to passwords before deriving the
/// long-term key (RFC 8489 §9.2.2 with MD5).
///
/// Steps, as RFC 4013 §2 orders them:
/// 1. Map: characters "commonly mapped to nothing" (B.1) are removed; non-ASCII spaces (C.1.2) become U+0020.
/// 2. Normalize with Unicode NFKC.
/// 3. Prohibit C.1.2, C.2.1, C.2.2, C.3, C.4, C.5, C.6, C.7, C.8 and C.9.
/// 4. Check bidirectional strings (RFC 3454 §6): a string with a RandALCat character has no LCat character and
///    starts and ends with a RandALCat character.
///
/// Unassigned code points (A.1) are allowed, as for "queries". NFKC uses the platform's current Unicode version
/// rather than Unicode 3.2, which only matters for characters assigned since.
public enum SASLprep {
    /// The SASLprep form of `string`, or `nil` if the result would contain a prohibited character or break the
    /// bidirectional rule.
    ///
    /// `SASLprep.prepare("The\u{00AD}M\u{00AA}tr\u{2168}") == "TheMatrIX"` (RFC 5769 §2.4).
    public static func prepare(_ string: String) -> String? {
        // Printable ASCII maps to itself and is never prohibited: skip the Unicode machinery for the common case.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return string
        }

        var mapped = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            if StringprepTables.contains(StringprepTables.mappedToNothing, scalar.value) {
                continue
            }
            if StringprepTables.contains(StringprepTables.nonASCIISpace, scalar.value) {
                mapped.append(" ")
            } else {
                mapped.append(scalar)
            }
        }

        let normalized = String(mapped).precomposedStringWithCompatibilityMapping

        var containsRandALCat = false
        var containsLCat = false
        for scalar in normalized.unicodeScalars {
            if StringprepTables.contains(StringprepTables.prohibited, scalar.value) {
                return nil
            }
            if StringprepTables.contains(StringprepTables.randALCat, scalar.value) {
                containsRandALCat = true
            } else if StringprepTables.contains(StringprepTables.lCat, scalar.value) {
                containsLCat = true
            }
        }
        if containsRandALCat {
            guard !containsLCat,
                let first = normalized.unicodeScalars.first,
                let last = normalized.unicodeScalars.last,
                StringprepTables.contains(StringprepTables.randALCat, first.value),
                StringprepTables.contains(StringprepTables.randALCat, last.value)
            else {
                return nil
            }
        }
        return normalized
    }
}
