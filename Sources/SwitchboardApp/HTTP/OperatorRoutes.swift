import Hummingbird
import Metrics
import NIOCore
import Prometheus
import SocketIOCodec

/// The operator endpoints: the status page (`/status`), its data (`GET /api/status`: rooms, member names, TURN
/// traffic), the Prometheus metrics (`GET /metrics`) and, when the process can reload, `POST /api/reload` (the same
/// as SIGHUP, answering what was applied), each behind ``AdminAccess``. Refusals carry no data and are counted in
/// `switchboard_admin_refused_total{reason}`.
struct OperatorRoutes: Sendable {
    let access: AdminAccess
    let metricsRegistry: PrometheusCollectorRegistry
    let status: @Sendable () -> StatusSnapshot
    /// Reloads the configuration and describes the outcome; nil serves no `/api/reload`.
    var reload: (@Sendable () -> JSONValue)?
    private let notHere = Counter(label: "switchboard_admin_refused_total", dimensions: [("reason", "not_here")])
    private let badToken = Counter(label: "switchboard_admin_refused_total", dimensions: [("reason", "bad_token")])
    private let forbidden = Counter(label: "switchboard_admin_refused_total", dimensions: [("reason", "forbidden")])

    init(
        access: AdminAccess,
        metricsRegistry: PrometheusCollectorRegistry,
        status: @escaping @Sendable () -> StatusSnapshot
    ) {
        self.access = access
        self.metricsRegistry = metricsRegistry
        self.status = status
    }

    /// Adds the endpoints to the router of one listener; on `admin.port` the status page's assets come along.
    func add(to router: Router<SwitchboardRequestContext>, listener: AdminAccess.Listener) {
        let registry = self.metricsRegistry
        let status = self.status
        self.guarded(router, "/status", listener) { request in
            WebAsset.statusPage.response(to: request)
        }
        self.guarded(router, "/api/status", listener) { _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: status().json.serialized()))
            )
        }
        self.guarded(router, "/metrics", listener) { _ in
            // Prometheus text exposition format, version 0.0.4.
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer()))
            )
        }
        if let reload = self.reload {
            self.guarded(router, "/api/reload", listener, method: .post) { request in
                // A browser adds Origin to every cross-site POST: a page must not make an operator's browser reload.
                guard request.headers[.origin] == nil else {
                    return .text(.forbidden, "forbidden: POST /api/reload does not take cross-site requests\n")
                }
                return Response(
                    status: .ok,
                    headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                    body: ResponseBody(byteBuffer: ByteBuffer(string: reload().serialized()))
                )
            }
        }
        if listener == .admin {
            for asset in WebRoutes.statusAssets {
                router.get(RouterPath(asset.path)) { request, _ -> Response in
                    asset.response(to: request)
                }
            }
        }
    }

    private func guarded(
        _ router: Router<SwitchboardRequestContext>,
        _ path: String,
        _ listener: AdminAccess.Listener,
        method: HTTPRequest.Method = .get,
        _ respond: @escaping @Sendable (Request) -> Response
    ) {
        let access = self.access
        let (notHere, badToken, forbidden) = (self.notHere, self.badToken, self.forbidden)
        router.on(RouterPath(path), method: method) { request, context -> Response in
            let verdict = access.verdict(
                listener: listener,
                peer: context.clientAddress,
                authorization: request.headers[values: .authorization]
            )
            switch verdict {
            case .allowed:
                return respond(request)
            case .notHere:
                notHere.increment()
                return .text(.notFound, "not found: the operator endpoints are served on admin.port\n")
            case .badToken:
                badToken.increment()
                var response = Response.text(.unauthorized, "the bearer token is not one of admin.tokens\n")
                response.headers[.wwwAuthenticate] = "Bearer realm=\"switchboard-admin\", error=\"invalid_token\""
                return response
            case .forbidden:
                forbidden.increment()
                return .text(
                    .forbidden,
                    "forbidden: operator endpoints are served to loopback clients, to admin.tokens and on admin.port\n"
                )
            }
        }
    }
}
