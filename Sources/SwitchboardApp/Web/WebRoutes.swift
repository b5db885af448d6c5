import Hummingbird

/// The public web surface: the video chat page at `/`, its scripts and style sheet under `/assets/`. The operator
/// status page (`/status`) and its data are ``OperatorRoutes``.
///
/// Everything is embedded in the binary (the files of `Web/`, see `EmbeddedWebFiles`): no CDN, no files beside it.
enum WebRoutes {
    /// The embedded assets anyone may load, each served at its own path (the status page's script holds no data).
    static let assets: [WebAsset] = [
        .chatPage, .styleSheet, .socketClientScript, .chatScript, .statusScript, .favicon,
    ]

    /// What the status page loads, served on `admin.port` next to it.
    static let statusAssets: [WebAsset] = [.styleSheet, .statusScript, .favicon]

    static func add(to router: Router<SwitchboardRequestContext>) {
        for asset in Self.assets {
            router.get(RouterPath(asset.path)) { request, _ -> Response in
                asset.response(to: request)
            }
        }
    }
}
