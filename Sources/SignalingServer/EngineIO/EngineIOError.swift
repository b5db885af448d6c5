import HTTPTypes
import NIOCore

/// The errors the reference server answers Engine.IO requests with (docs/engineio-socketio.md#http-errors, engine.io
/// `server.ts` `Server.errors` and `abortRequest`): HTTP 400 (403 for ``forbidden``, 503 for ``tooManySessions``) with
/// `Content-Type: application/json` and the body `{"code":N,"message":"…"}`.
public struct EngineIOError: Error, Sendable, Hashable {
    /// The code in the body.
    public let code: Int
    /// The message in the body.
    public let message: String

    /// `transport` missing, unknown or not enabled.
    public static let unknownTransport = EngineIOError(code: 0, message: "Transport unknown")
    /// `sid` not found: expired, closed or never existed.
    public static let unknownSessionID = EngineIOError(code: 1, message: "Session ID unknown")
    /// A handshake (no `sid`) with a method other than GET.
    public static let badHandshakeMethod = EngineIOError(code: 2, message: "Bad handshake method")
    /// Transport mismatch for an existing session, a WebSocket handshake without upgrade, and similar.
    public static let badRequest = EngineIOError(code: 3, message: "Bad request")
    /// Refused by the application's `allowRequest` hook (HTTP 403).
    public static let forbidden = EngineIOError(code: 4, message: "Forbidden")
    /// An Engine.IO revision that is not served (`EIO` not `4`, and not `3` or missing with compat on).
    public static let unsupportedProtocolVersion = EngineIOError(code: 5, message: "Unsupported protocol version")
    /// A handshake over a session cap (in total or for the client's address): HTTP 503, so that clients retry
    /// later as they do after any failed handshake. Not one of the reference's codes (it has no cap); the body has
    /// the same shape.
    public static let tooManySessions = EngineIOError(code: 6, message: "Too many sessions")

    /// The HTTP status: 403 for ``forbidden``, 503 for ``tooManySessions``, 400 otherwise.
    public var status: HTTPResponse.Status {
        switch self.code {
        case 4: return .forbidden
        case 6: return .serviceUnavailable
        default: return .badRequest
        }
    }

    /// The JSON body, as the reference writes it.
    public var body: ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeString("{\"code\":\(self.code),\"message\":")
        buffer.writeString(JSONStringLiteral.quote(self.message))
        buffer.writeString("}")
        return buffer
    }
}

/// Writes a JSON string literal without going through a full JSON value.
enum JSONStringLiteral {
    static func quote(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
