import NIOCore
import STUNCodec

/// One TURN request being answered (RFC 8656 §7-§12): the message, the 5-tuple it arrived on, the way back to the
/// client, and the time of the read batch it came in. After authentication it also carries the signing of the
/// answer (RFC 8489 §9.2.4: responses use the request's own key and algorithm).
struct TURNRequest {
    /// The key and algorithm of the request's own integrity.
    struct Signing {
        var key: [UInt8]
        var useSHA256: Bool
    }

    let message: STUNMessage
    let fiveTuple: FiveTuple
    let output: ClientOutput
    let allocator: ByteBufferAllocator
    let now: NIODeadline
    /// Set once the request is authenticated; every later answer is signed with it.
    var signing: Signing?
}

/// An error response a TURN request handler ends with (RFC 8489 §6.3.4): the code, an optional reason phrase in
/// place of the code's default one, and what else the response carries.
struct TURNRequestError: Error {
    enum Extra {
        case none
        /// 401 and 438 carry a fresh REALM and NONCE (RFC 8489 §9.2.4).
        case challenge
        /// 420 lists the attributes that were not understood (RFC 8489 §14.9).
        case unknownAttributes([STUNAttributeType])
    }

    var code: STUNErrorCode
    var reason: String?
    var extra = Extra.none

    init(_ code: STUNErrorCode, reason: String? = nil, extra: Extra = .none) {
        self.code = code
        self.reason = reason
        self.extra = extra
    }

    /// 400 with a reason phrase saying what was wrong.
    static func badRequest(_ reason: String) -> TURNRequestError {
        TURNRequestError(.badRequest, reason: reason)
    }
}
