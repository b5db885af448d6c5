import HTTPTypes

/// Cross-origin resource sharing of the Engine.IO polling transport (docs/engineio-socketio.md#cors).
///
/// - ``origins`` empty: CORS is off, as in the modern reference server. No CORS header is sent, and a preflight
///   `OPTIONS` is answered like any other non-GET handshake (400 code 2).
/// - ``origins`` `["*"]`: any origin. Without ``credentials`` the responses carry `Access-Control-Allow-Origin: *`
///   (the npm `cors` package with `{origin: "*"}`); with ``credentials`` the request's `Origin` is echoed with
///   `Access-Control-Allow-Credentials: true` and `Vary: Origin` (`{origin: true, credentials: true}`).
/// - a list of origins: a request whose `Origin` is listed gets it echoed (with `Vary: Origin`, and the credentials
///   header when ``credentials`` is on); other origins get no CORS header, so the browser refuses the response.
///
/// Legacy behaviour for Engine.IO v3 clients: engine.io 3 always echoed the `Origin` with
/// `Access-Control-Allow-Credentials: true`, and socket.io-client 2.x sends `withCredentials` by default, so a `*`
/// answer fails for them. When CORS is on, an allowed origin on an Engine.IO v3 request is therefore always echoed
/// with credentials.
///
/// Preflight: `OPTIONS` gets 204 with `Access-Control-Allow-Methods: GET,HEAD,PUT,PATCH,POST,DELETE`, the requested
/// headers echoed in `Access-Control-Allow-Headers` (with `Vary: Access-Control-Request-Headers`) and
/// `Content-Length: 0`. WebSocket upgrades are not subject to CORS.
public struct CORSConfiguration: Sendable, Hashable {
    /// The allowed origins: empty for none (CORS off), `*` for any.
    public var origins: [String]
    /// Whether credentialed requests are allowed (`Access-Control-Allow-Credentials: true`, origin echoed).
    public var credentials: Bool

    /// Creates a CORS configuration; the default allows any origin without credentials.
    public init(origins: [String] = ["*"], credentials: Bool = false) {
        self.origins = origins
        self.credentials = credentials
    }

    /// Whether CORS is on.
    public var isEnabled: Bool {
        !self.origins.isEmpty
    }

    /// Whether a request from `origin` may read the response.
    func allows(_ origin: String) -> Bool {
        self.origins.contains("*") || self.origins.contains(origin)
    }

    /// The CORS headers of a response to a request with these headers.
    ///
    /// - Parameters:
    ///   - requestHeaders: the request's headers (`Origin`, `Access-Control-Request-Headers`).
    ///   - legacy: whether the request speaks Engine.IO v3 (origin echoed with credentials).
    ///   - preflight: whether this is the answer to an `OPTIONS` preflight.
    func headers(for requestHeaders: HTTPFields, legacy: Bool, preflight: Bool) -> HTTPFields {
        var headers = HTTPFields()
        guard self.isEnabled else {
            return headers
        }
        let origin = requestHeaders[.origin]
        let echoOrigin = self.credentials || legacy || !self.origins.contains("*")
        if echoOrigin {
            guard let origin, self.allows(origin) else {
                headers[.vary] = "Origin"
                return headers
            }
            headers[.accessControlAllowOrigin] = origin
            headers[.vary] = "Origin"
            if self.credentials || legacy {
                headers[.accessControlAllowCredentials] = "true"
            }
        } else {
            headers[.accessControlAllowOrigin] = "*"
        }
        if preflight {
            headers[.accessControlAllowMethods] = "GET,HEAD,PUT,PATCH,POST,DELETE"
            if let requested = requestHeaders[.accessControlRequestHeaders] {
                headers[.accessControlAllowHeaders] = requested
                headers.append(HTTPField(name: .vary, value: "Access-Control-Request-Headers"))
            }
        }
        return headers
    }
}
