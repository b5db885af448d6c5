/// Who may read the operator endpoints (`/status`, `/api/status`, `/metrics`): room names, member names and
/// traffic are nobody else's business.
///
/// With `admin.port` set they are served on that port only, to whoever reaches it (it binds `admin.host`,
/// loopback by default), and the main ports answer 404. Otherwise the main ports serve them to a loopback client
/// (the TCP peer, so a proxy's `X-Forwarded-For` changes nothing; `admin.allowLoopback`) and to a request with one
/// of `admin.tokens`; everyone else gets 403.
struct AdminAccess: Sendable {
    enum Verdict: Equatable, Sendable {
        case allowed
        /// 404: the operator endpoints live on `admin.port`, not here.
        case notHere
        /// 401: a token was given and is not one of `admin.tokens`.
        case badToken
        /// 403: no token and not a loopback client.
        case forbidden
    }

    /// Which server a request arrived on.
    enum Listener: Sendable {
        /// `http.port` or `tls.port`.
        case main
        /// `admin.port`.
        case admin
    }

    let separatePort: Bool
    let tokens: BearerTokens
    let allowLoopback: Bool

    init(configuration: AccessConfiguration) {
        self.separatePort = configuration.adminPort > 0
        self.tokens = BearerTokens(configuration.adminTokens)
        self.allowLoopback = configuration.adminAllowLoopback
    }

    func verdict(listener: Listener, peer: ClientAddress?, authorization: [String]) -> Verdict {
        switch (listener, self.separatePort) {
        case (.admin, _):
            return .allowed
        case (.main, true):
            return .notHere
        case (.main, false):
            break
        }
        switch self.tokens.match(authorization: authorization) {
        case .accepted:
            return .allowed
        case .rejected:
            return .badToken
        case .absent:
            return self.allowLoopback && peer?.isLoopback == true ? .allowed : .forbidden
        }
    }
}
