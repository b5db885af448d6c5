import Crypto
import Foundation

/// Time-limited TURN credentials shared with a web service through a secret (the "TURN REST API",
/// draft-uberti-behave-turn-rest-00 §2.2), as coturn's `use-auth-secret` / `static-auth-secret` implement them.
///
/// The username is `<expiry>:<user>` (the expiry a Unix timestamp in seconds), the password
/// `base64(HMAC-SHA1(secret, username))`. The server recomputes the password from the username and rejects expired
/// usernames; the long-term key is then derived as usual with ``LongTermCredentials``.
public enum TimeLimitedCredentials {
    /// `"<expiry>:<user>"`, or just `"<expiry>"` when `user` is empty.
    public static func username(expiry: Int64, user: String) -> String {
        user.isEmpty ? String(expiry) : "\(expiry):\(user)"
    }

    /// `base64(HMAC-SHA1(secret, username))`.
    ///
    /// - Parameters:
    ///   - username: the complete username, expiry included.
    ///   - secret: the shared secret bytes (e.g. `Array(secretString.utf8)`).
    public static func password(username: String, secret: some Collection<UInt8>) -> String {
        let mac = HMAC<Insecure.SHA1>.authenticationCode(
            for: Array(username.utf8),
            using: SymmetricKey(data: Array(secret))
        )
        return Data(mac).base64EncodedString()
    }

    /// The expiry timestamp of a time-limited username: the decimal digits before the first `:`, or the whole
    /// username if it is only digits; `nil` otherwise (or on overflow).
    public static func expiry(ofUsername username: String) -> Int64? {
        let digits = username.utf8.prefix { $0 != UInt8(ascii: ":") }
        guard !digits.isEmpty, digits.count <= 19,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            return nil
        }
        var value: Int64 = 0
        for digit in digits {
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (added, overflow2) = multiplied.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
            if overflow1 || overflow2 {
                return nil
            }
            value = added
        }
        return value
    }
}
