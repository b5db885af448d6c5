import Hummingbird
import NIOCore
import Prometheus
import TURNServer

/// The plain HTTP routes of the operator surface: `/healthz` and `/metrics`.
enum HTTPRoutes {
    static func add(
        to router: Router<BasicRequestContext>,
        metricsRegistry: PrometheusCollectorRegistry,
        turnService: TURNService
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
