import Crypto
import STUNCodec

/// A list of accepted bearer tokens (RFC 6750 §2.1: `Authorization: Bearer <token>`), several at once so they can
/// be rotated.
///
/// Tokens are compared as SHA-256 digests in constant time: the time a comparison takes tells nothing about where
/// a guess first differs, nor about a token's length, and every token is compared whatever the outcome.
struct BearerTokens: Sendable {
    /// What a request's `Authorization` header amounts to.
    enum Match: Equatable, Sendable {
        /// No `Authorization` header.
        case absent
        /// The token at this index of the configured list.
        case accepted(index: Int)
        /// A header that is not `Bearer` or names no configured token.
        case rejected
    }

    private let digests: [[UInt8]]

    init(_ tokens: [String]) {
        self.digests = tokens.map { Array(SHA256.hash(data: Array($0.utf8))) }
    }

    var isEmpty: Bool {
        self.digests.isEmpty
    }

    /// Matches the values of a request's `Authorization` headers (several headers, or one that is not Bearer, are
    /// rejected).
    func match(authorization values: [String]) -> Match {
        guard let value = values.first else {
            return .absent
        }
        guard values.count == 1, let token = Self.bearerToken(value) else {
            return .rejected
        }
        let digest = Array(SHA256.hash(data: Array(token.utf8)))
        var found: Int?
        for (index, candidate) in self.digests.enumerated() where ConstantTime.equals(candidate, digest) {
            found = found ?? index
        }
        return found.map { .accepted(index: $0) } ?? .rejected
    }

    /// The token of `Bearer <token>`; the scheme is case-insensitive (RFC 9110 §11.1).
    static func bearerToken(_ value: String) -> Substring? {
        let parts = value.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return nil
        }
        let token = parts[1].drop { $0 == " " }
        return token.isEmpty ? nil : token
    }
}
