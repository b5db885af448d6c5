import Foundation

/// The PRECIS OpaqueString profile (RFC 8265 §4.2), which RFC 8489 applies to passwords and realms before deriving
/// the SHA-256 long-term key (§9.2.2) and to the username and realm of USERHASH (§14.4).
///
/// Rules (RFC 8265 §4.2.1): non-ASCII spaces map to U+0020, then Unicode NFC; every code point must be allowed by
/// the FreeformClass (RFC 8264 §4.3); the result must not be empty. No width or case mapping.
///
/// The FreeformClass check follows the RFC 8264 §8 derivation from Unicode properties (letters, marks, digits,
/// spaces, symbols and punctuation are allowed; controls, default-ignorable code points, noncharacters, old Hangul
/// jamo, unassigned code points and the RFC 5892 §2.6 exceptions marked DISALLOWED are not). Contextual rules for
/// joiners (CONTEXTJ) are not evaluated: ZWJ and ZWNJ are rejected; CONTEXTO characters are accepted.
public enum OpaqueString {
    /// The OpaqueString form of `string`, or `nil` if it contains a disallowed code point or is empty.
    public static func prepare(_ string: String) -> String? {
        if string.isEmpty {
            return nil
        }
        // Printable ASCII (space included) is valid and unchanged.
        if string.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
            return string
        }

        var mapped = String.UnicodeScalarView()
        for scalar in string.unicodeScalars {
            if scalar.value != 0x20 && scalar.properties.generalCategory == .spaceSeparator {
                mapped.append(" ")
            } else {
                mapped.append(scalar)
            }
        }
        let normalized = String(mapped).precomposedStringWithCanonicalMapping
        for scalar in normalized.unicodeScalars where !Self.isFreeformAllowed(scalar) {
            return nil
        }
        return normalized.isEmpty ? nil : normalized
    }

    /// Whether FreeformClass allows `scalar` (PVALID or FREE_PVAL). RFC 8264 §8, §9.
    static func isFreeformAllowed(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        // RFC 5892 §2.6 exceptions.
        switch value {
        case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007:
            return true
        case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B:
            return false
        case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB, 0x0660...0x0669, 0x06F0...0x06F9:
            return true
        default:
            break
        }
        let properties = scalar.properties
        if properties.generalCategory == .unassigned {
            return false
        }
        if (0x21...0x7E).contains(value) {
            return true
        }
        // JoinControl (CONTEXTJ, context not evaluated) and OldHangulJamo.
        if value == 0x200C || value == 0x200D || (0x1100...0x11FF).contains(value)
            || (0xA960...0xA97F).contains(value) || (0xD7B0...0xD7FF).contains(value)
        {
            return false
        }
        if properties.isDefaultIgnorableCodePoint || properties.isNoncharacterCodePoint {
            return false
        }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark,
            .decimalNumber, .letterNumber, .otherNumber,
            .spaceSeparator,
            .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol,
            .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
