import Foundation

/// Who may mint TURN credentials at `GET /api/ice-servers`, and under which identity.
///
/// Credentials normally go only to clients that joined a room through signaling (the `iceServers` event), so the
/// API is off unless `ice.api.enabled`. When on, a request needs one of `ice.api.tokens` (`Authorization: Bearer`)
/// or an `Origin` among `ice.api.allowedOrigins`. An `Origin` is what browsers send on a cross-origin `fetch`: it
/// keeps other web sites from using this TURN server, not a script that writes its own headers, which is what
/// tokens are for.
///
/// The identity becomes the user part of the TURN REST username (`<expiry>:<identity>`) and so the key of the
/// per-user allocation quota: it is stable per token or origin (`api-0`, `api-app.example.org_8443`), never fresh
/// per request, so the quota bounds what one caller can hold.
struct APIAccessPolicy: Sendable {
    enum Verdict: Equatable, Sendable {
        /// Serve credentials for this identity; `allowOrigin` is echoed in `Access-Control-Allow-Origin`.
        case allowed(identity: String, allowOrigin: String?)
        /// 404: `ice.api.enabled` is off.
        case disabled
        /// 401: no token and no `Origin`, or a token that is not one of `ice.api.tokens`.
        case unauthorized(invalidToken: Bool)
        /// 403: an `Origin` that is not allowed.
        case forbiddenOrigin
    }

    let enabled: Bool
    let tokens: BearerTokens
    /// Lowercased (RFC 6454 §6.1 serialises scheme and host in lowercase).
    let allowedOrigins: Set<String>

    init(configuration: AccessConfiguration) {
        self.enabled = configuration.apiEnabled
        self.tokens = BearerTokens(configuration.apiTokens)
        self.allowedOrigins = Set(configuration.apiAllowedOrigins.map { $0.lowercased() })
    }

    func verdict(authorization: [String], origin: [String]) -> Verdict {
        guard self.enabled else {
            return .disabled
        }
        switch self.tokens.match(authorization: authorization) {
        case .accepted(let index):
            return .allowed(identity: "api-\(index)", allowOrigin: nil)
        case .rejected:
            return .unauthorized(invalidToken: true)
        case .absent:
            break
        }
        guard let value = origin.first else {
            return .unauthorized(invalidToken: false)
        }
        let lowered = value.lowercased()
        guard origin.count == 1, self.allowedOrigins.contains(lowered) else {
            return .forbiddenOrigin
        }
        return .allowed(identity: Self.identity(origin: lowered), allowOrigin: value)
    }

    /// `api-` and the origin without its scheme, ':' (the REST username's separator) made '_'.
    static func identity(origin: String) -> String {
        let host = origin.range(of: "://").map { String(origin[$0.upperBound...]) } ?? origin
        return "api-" + String(host.map { $0 == ":" ? "_" : $0 })
    }
}
