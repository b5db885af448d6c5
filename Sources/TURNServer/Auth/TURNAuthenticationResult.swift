import STUNCodec

/// The outcome of ``TURNAuthenticator/authenticate(_:isAllocate:now:)``. RFC 8489 §9.2.4.
///
/// `description` leaves the key out, so a result can be logged as is.
public enum TURNAuthenticationResult: Sendable, Equatable, CustomStringConvertible {
    /// Authenticated: sign the response with `key`, using MESSAGE-INTEGRITY-SHA256 when `useSHA256` and
    /// MESSAGE-INTEGRITY otherwise.
    ///
    /// RFC 8489 §9.2.4 (last paragraph): responses carry MESSAGE-INTEGRITY-SHA256 unless the request was processed as
    /// though PASSWORD-ALGORITHM were MD5 because it carried neither PASSWORD-ALGORITHMS nor PASSWORD-ALGORITHM, in
    /// which case they carry MESSAGE-INTEGRITY. So `useSHA256` is true exactly for requests that took part in the
    /// password-algorithm negotiation, whichever integrity attribute they used; RFC 5389 clients get
    /// MESSAGE-INTEGRITY.
    case authenticated(username: String, key: [UInt8], useSHA256: Bool)

    /// Reject with this error code. The response is unsigned. `challenge` means the response must carry REALM, a
    /// fresh NONCE and PASSWORD-ALGORITHMS (``TURNAuthenticator/appendChallenge(to:now:)``); 401 and 438 always do,
    /// 400 never does.
    case rejected(code: STUNErrorCode, reason: FailureReason, challenge: Bool)

    /// Why a request was rejected, for logs and metric labels (the raw values).
    public enum FailureReason: String, Sendable, CaseIterable {
        /// No MESSAGE-INTEGRITY(-SHA256): the normal first request of every client (401).
        case missingCredentials = "missing_credentials"
        /// Unknown username or USERHASH, or a REALM other than ours (401).
        case unknownUser = "unknown_user"
        /// Integrity wrong for every candidate key: wrong password or secret (401).
        case badIntegrity = "bad_integrity"
        /// A genuine TURN REST username past its expiry (401).
        case expired
        /// A NONCE that is stale or not ours (438).
        case staleNonce = "stale_nonce"
        /// USERNAME/USERHASH, REALM or NONCE missing or malformed next to an integrity attribute, or a
        /// PASSWORD-ALGORITHMS / PASSWORD-ALGORITHM that does not match what was offered (400).
        case badRequest = "bad_request"
    }

    public var description: String {
        switch self {
        case .authenticated(let username, _, let useSHA256):
            return "authenticated(username: \(username), useSHA256: \(useSHA256))"
        case .rejected(let code, let reason, let challenge):
            return "rejected(code: \(code.rawValue), reason: \(reason.rawValue), challenge: \(challenge))"
        }
    }
}
