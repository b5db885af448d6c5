import LoadGeneratorSupport

/// Why an allocation could not be set up (or a socket call failed); the load generator stops with this message.
struct SetupFailure: Error {
    var message: String
    /// The STUN error code of the response that caused it, if any.
    var errorCode: Int?

    init(_ message: String, errorCode: Int? = nil) {
        self.message = message
        self.errorCode = errorCode
    }

    init(_ failure: UDPSocket.Failure) {
        self.message = failure.description
    }
}
