/// Why `nat-probe` could not reach a verdict.
public enum NATProbeError: Error, Equatable, CustomStringConvertible {
    /// No Binding response from the server at all.
    case noAnswer(String)
    /// The server answered without OTHER-ADDRESS: it does not do RFC 5780 discovery.
    case noRFC5780(String)
    /// The server answered the first Binding request with an error.
    case errorResponse(String, Int)
    /// HOST[:PORT] is not an address or a name that resolves.
    case badServer(String)
    /// A socket call failed.
    case system(String, CInt)

    public var description: String {
        switch self {
        case .noAnswer(let server):
            return "no STUN Binding response from \(server)"
        case .noRFC5780(let server):
            return "\(server) answers Binding but not RFC 5780 (no OTHER-ADDRESS in its response); it needs a second "
                + "address or port (Switchboard: stun.alternateAddress, stun.alternatePort; coturn: two listening IPs)"
        case .errorResponse(let server, let code):
            return "\(server) answered the Binding request with error \(code)"
        case .badServer(let text):
            return "cannot resolve \(text) to an IP address"
        case .system(let call, let code):
            return "\(call) failed (errno \(code))"
        }
    }
}
