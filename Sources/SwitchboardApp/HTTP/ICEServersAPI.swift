import Hummingbird
import Metrics
import NIOCore
import SocketIOCodec
import Synchronization

/// `GET /api/ice-servers`: the ICE configuration with fresh TURN credentials, for callers that
/// ``APIAccessPolicy`` lets in, at most `ice.api.requestsPerMinute` requests per client address (429 beyond).
/// Every answer is counted in `switchboard_ice_api_requests_total{outcome}`.
final class ICEServersAPI: Sendable {
    private let policy: APIAccessPolicy
    private let provider: ICEServersProvider
    private let limiter: Mutex<RequestRateLimiter>
    private let served = Counter(label: "switchboard_ice_api_requests_total", dimensions: [("outcome", "served")])
    private let disabled = Counter(label: "switchboard_ice_api_requests_total", dimensions: [("outcome", "disabled")])
    private let rateLimited = Counter(
        label: "switchboard_ice_api_requests_total",
        dimensions: [("outcome", "rate_limited")]
    )
    private let unauthorized = Counter(
        label: "switchboard_ice_api_requests_total",
        dimensions: [("outcome", "unauthorized")]
    )
    private let forbiddenOrigin = Counter(
        label: "switchboard_ice_api_requests_total",
        dimensions: [("outcome", "forbidden_origin")]
    )

    init(configuration: AccessConfiguration, provider: ICEServersProvider) {
        self.policy = APIAccessPolicy(configuration: configuration)
        self.provider = provider
        self.limiter = Mutex(RequestRateLimiter(perMinute: configuration.apiRequestsPerMinute))
    }

    func add(to router: Router<SwitchboardRequestContext>) {
        router.get("/api/ice-servers") { [self] request, context -> Response in
            self.respond(to: request, client: context.clientAddress, now: .now)
        }
    }

    func respond(to request: Request, client: ClientAddress?, now: ContinuousClock.Instant) -> Response {
        guard self.policy.enabled else {
            self.disabled.increment()
            return .text(.notFound, Self.offMessage)
        }
        // Every request counts, refused ones too: it also slows down guessing tokens.
        let key = client?.rateLimitKey ?? []
        guard self.limiter.withLock({ $0.admit(key, now: now) }) else {
            self.rateLimited.increment()
            var response = Response.text(.tooManyRequests, "too many requests (ice.api.requestsPerMinute)\n")
            response.headers[.retryAfter] = "60"
            return response
        }
        let verdict = self.policy.verdict(
            authorization: request.headers[values: .authorization],
            origin: request.headers[values: .origin]
        )
        switch verdict {
        case .allowed(let identity, let allowOrigin):
            self.served.increment()
            let servers = self.provider.iceServers(requestHost: request.head.authority, user: identity)
            var response = Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: servers.serialized()))
            )
            if let allowOrigin {
                response.headers[.accessControlAllowOrigin] = allowOrigin
                response.headers[.vary] = "Origin"
            }
            return response
        case .unauthorized(let invalidToken):
            self.unauthorized.increment()
            // RFC 6750 §3: the challenge, with error="invalid_token" when a token was given.
            var response = Response.text(
                .unauthorized,
                invalidToken
                    ? "the bearer token is not one of ice.api.tokens\n"
                    : "GET /api/ice-servers needs Authorization: Bearer TOKEN (ice.api.tokens) or an allowed Origin\n"
            )
            response.headers[.wwwAuthenticate] =
                invalidToken ? "Bearer realm=\"switchboard\", error=\"invalid_token\"" : "Bearer realm=\"switchboard\""
            return response
        case .forbiddenOrigin:
            self.forbiddenOrigin.increment()
            return .text(.forbidden, "this Origin is not in ice.api.allowedOrigins\n")
        case .disabled:
            self.disabled.increment()
            return .text(.notFound, Self.offMessage)
        }
    }

    private static let offMessage =
        "GET /api/ice-servers is off (ice.api.enabled); clients get their ICE servers when they join a room\n"
}

extension Response {
    /// A short plain-text answer.
    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text))
        )
    }
}
