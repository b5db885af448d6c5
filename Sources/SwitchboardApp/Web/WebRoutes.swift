import Hummingbird
import NIOCore
import SocketIOCodec

/// The web surface: the video chat page at `/`, the operator status page at `/status`, their scripts and style
/// sheet under `/assets/`, and the status data at `GET /api/status`.
///
/// Everything is embedded in the binary (see `Assets/`): no CDN, no build step.
enum WebRoutes {
    /// Every embedded asset, each served at its own path.
    static let assets: [WebAsset] = [
        .chatPage, .statusPage, .styleSheet, .socketClientScript, .chatScript, .statusScript, .favicon,
    ]

    static func add(to router: Router<BasicRequestContext>, status: @escaping @Sendable () -> StatusSnapshot) {
        for asset in Self.assets {
            router.get(RouterPath(asset.path)) { request, _ -> Response in
                asset.response(to: request)
            }
        }
        router.get("/api/status") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: status().json.serialized()))
            )
        }
    }
}
