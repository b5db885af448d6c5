import Hummingbird
import HummingbirdWebSocket
import NIOCore
import SocketIOCodec

/// The web surface: the video chat page at `/`, the operator status page at `/status` and its data at
/// `GET /api/status`.
enum WebRoutes {
    static func add(to router: Router<BasicWebSocketRequestContext>, status: @escaping @Sendable () -> StatusSnapshot) {
        router.get("/api/status") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: status().json.serialized()))
            )
        }
    }
}
