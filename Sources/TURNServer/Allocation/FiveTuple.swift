import STUNCodec

/// The transport between a client and the server. The relay itself is always UDP.
public enum ClientTransport: UInt8, Hashable, Sendable, CustomStringConvertible {
    case udp
    case tcp

    public var description: String {
        switch self {
        case .udp: return "udp"
        case .tcp: return "tcp"
        }
    }
}

/// RFC 8656 §2: the 5-tuple (client address, server address, transport) that identifies an allocation.
public struct FiveTuple: Hashable, Sendable, CustomStringConvertible {
    public var client: TransportAddress
    public var server: TransportAddress
    public var transport: ClientTransport

    public init(client: TransportAddress, server: TransportAddress, transport: ClientTransport) {
        self.client = client
        self.server = server
        self.transport = transport
    }

    public var description: String {
        "\(self.transport):\(self.client)->\(self.server)"
    }
}
