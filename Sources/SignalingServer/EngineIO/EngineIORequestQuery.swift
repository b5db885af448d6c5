import Hummingbird
import HummingbirdCore
import SocketIOCodec

/// The Engine.IO query parameters of a request (Engine.IO v4 §"Transports"): `EIO`, `transport`, `sid`, and the v3
/// `b64`. Every other parameter (the `t` cache buster, application parameters) is ignored.
struct EngineIORequestQuery: Sendable {
    /// `EIO`, if present.
    var protocolValue: String?
    /// `transport`, if present.
    var transport: String?
    /// `sid`, if present and not empty.
    var sid: String?
    /// `b64` is `1` or `true`: an Engine.IO v3 client that cannot receive binary framing.
    var forcesBase64: Bool

    init(_ uri: URI) {
        let parameters = Self.parameters(of: uri)
        func first(_ name: String) -> String? {
            parameters.first { $0.name == name }?.value
        }
        self.protocolValue = first("EIO")
        self.transport = first("transport")
        let sid = first("sid")
        self.sid = sid?.isEmpty == false ? sid : nil
        let b64 = first("b64")
        self.forcesBase64 = b64 == "1" || b64 == "true"
    }

    /// All query parameters of `uri` in order, percent-decoded.
    static func parameters(of uri: URI) -> [(name: String, value: String)] {
        uri.queryParameters.map { (String($0.0), String($0.1)) }
    }

    /// The revision of a handshake, or `nil` if it is not served (HTTP 400 code 5): `4`, or `3`/missing when
    /// Engine.IO v3 is allowed (docs/engineio-socketio.md#version-selection: stricter than the reference for other
    /// values).
    func handshakeVersion(allowEIO3: Bool) -> EngineIOProtocolVersion? {
        guard let version = EngineIOProtocolVersion(queryValue: self.protocolValue) else {
            return nil
        }
        if version == .v3 && !allowEIO3 {
            return nil
        }
        return version
    }

    /// Whether the request speaks Engine.IO v3 (for the legacy CORS behaviour).
    var isLegacy: Bool {
        self.protocolValue != "4"
    }
}
