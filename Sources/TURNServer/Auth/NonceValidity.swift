/// What ``NonceIssuer/validate(_:now:)`` found out about a NONCE. RFC 8489 §9.2.4.
public enum NonceValidity: Hashable, Sendable {
    /// Issued by this process and still fresh.
    case valid
    /// Issued by this process, but outside its lifetime: answer 438 (Stale Nonce) with a fresh one.
    case stale
    /// Not issued by this process (another process or key, a different security feature set, tampered with, or not
    /// a nonce of ours at all). The authenticator answers it like a stale one.
    case invalid
}
