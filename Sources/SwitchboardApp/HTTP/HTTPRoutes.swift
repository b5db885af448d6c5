import Hummingbird
import NIOCore
import TURNServer

/// The plain HTTP route anyone may call: `/healthz`. The operator endpoints are ``OperatorRoutes``, the ICE
/// servers API ``ICEServersAPI``.
enum HTTPRoutes {
    static func add(to router: Router<SwitchboardRequestContext>, turnService: TURNService) {
        // 200 once every STUN/TURN listener is bound, 503 before (and while shutting down).
        router.get("/healthz") { _, _ -> Response in
            let ready = turnService.isReady
            return Response(
                status: ready ? .ok : .serviceUnavailable,
                headers: [.contentType: "text/plain; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: ready ? "ok\n" : "starting\n"))
            )
        }
    }
}
