import NIOCore
import STUNCodec

/// Answers to TURN requests (RFC 8489 §6.3): one place builds them, whatever the method.
extension AllocationTable {
    /// Builds a response of the request's method: the given attributes, SOFTWARE, MESSAGE-INTEGRITY(-SHA256) when
    /// the request was authenticated, FINGERPRINT when the request had one (RFC 8489 §6.3, §9.2.4, §14.7).
    func buildResponse(
        to request: TURNRequest,
        success: Bool,
        attributes: (inout STUNMessageWriter) -> Void
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(
                method: request.message.type.method,
                messageClass: success ? .successResponse : .errorResponse
            ),
            transactionID: request.message.transactionID,
            buffer: request.allocator.buffer(capacity: 160)
        )
        attributes(&writer)
        if let software = self.shared.software {
            writer.append(software)
        }
        if let signing = request.signing {
            if signing.useSHA256 {
                writer.appendMessageIntegritySHA256(key: signing.key)
            } else {
                writer.appendMessageIntegrity(key: signing.key)
            }
        }
        if request.message.hasFingerprint {
            writer.appendFingerprint()
        }
        return writer.finish()
    }

    /// Sends a success response with `attributes`.
    func respondSuccess(_ request: TURNRequest, attributes: (inout STUNMessageWriter) -> Void = { _ in }) {
        self.send(self.buildResponse(to: request, success: true, attributes: attributes), to: request)
    }

    /// Sends an error response; signed when the request was authenticated (every error after authentication).
    func respond(_ request: TURNRequest, with error: TURNRequestError) {
        let response = self.buildResponse(to: request, success: false) { writer in
            writer.append(
                ErrorCodeAttribute(code: error.code, reasonPhrase: error.reason ?? error.code.defaultReasonPhrase)
            )
            switch error.extra {
            case .none:
                break
            case .challenge:
                self.shared.authenticator.appendChallenge(to: &writer, now: self.shared.unixNow())
            case .unknownAttributes(let types):
                writer.append(UnknownAttributes(types: types))
            }
        }
        self.send(response, to: request)
    }

    private func send(_ response: ByteBuffer, to request: TURNRequest) {
        request.output.write(response)
        request.output.flush()
    }
}
