/// Why an acknowledgement the server asked for did not arrive.
public struct SocketIOAckError: Error, Sendable, Hashable, CustomStringConvertible {
    private enum Code: Sendable, Hashable {
        case timeout
        case disconnected
    }

    private let code: Code

    /// No acknowledgement within the timeout.
    public static let timeout = SocketIOAckError(code: .timeout)
    /// The socket disconnected before acknowledging.
    public static let disconnected = SocketIOAckError(code: .disconnected)

    public var description: String {
        switch self.code {
        case .timeout: return "operation has timed out"
        case .disconnected: return "socket has been disconnected"
        }
    }
}
