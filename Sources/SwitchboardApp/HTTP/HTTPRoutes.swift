import Hummingbird
import NIOCore
import Prometheus
import SocketIOCodec
import TURNServer

/// The plain HTTP routes of the operator surface: `/healthz` and `/metrics`.
enum HTTPRoutes {
    static func add(
        to router: Router<BasicRequestContext>,
        metricsRegistry: PrometheusCollectorRegistry,
        turnService: TURNService,
        iceServers: ICEServersProvider
    ) {
        // 200 once every STUN/TURN listener is bound, 503 before (and while shutting down).
        router.get("/healthz") { _, _ -> Response in
            let ready = turnService.isReady
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ok\n" : "starting\n"))
            )
        }
        // The ICE servers (STUN and TURN with fresh REST credentials) for any client, issue 5 §7.
        router.get("/api/ice-servers") { request, _ -> Response in
            let servers = iceServers.iceServers(requestHost: request.head.authority, user: "api")
            return Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: servers.serialized()))
            )
        }
        router.get("/metrics") { _, _ -> Response in
            // Prometheus text exposition format, version 0.0.4.
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: metricsRegistry.emitToBuffer()))
            )
        }
    }
}
