import NIOCore

/// Settings of the STUN/TURN listeners. A plain value with defaults; the application fills it from the
/// `stun.*` and `turn.*` configuration keys.
public struct TURNServerConfiguration: Sendable {
    /// IP addresses to bind (`stun.addresses`). `::` is skipped with a warning where the host has no IPv6.
    public var addresses: [String]
    /// UDP and TCP port (`stun.port`); 0 picks a free port, the same one for every socket.
    public var port: Int
    /// Listen on UDP (`stun.udp`).
    public var udp: Bool
    /// Listen on TCP (`stun.tcp`).
    public var tcp: Bool
    /// SO_REUSEPORT UDP sockets per address (`stun.udpSocketsPerAddress`); 0 means one per event loop.
    public var udpSocketsPerAddress: Int
    /// SOFTWARE attribute of responses (`stun.software`); `nil` or empty sends none. RFC 8489 §14.14.
    public var software: String?
    /// A TCP client that sends nothing for this long is disconnected (`stun.tcpIdleTimeoutSeconds`).
    public var tcpIdleTimeout: TimeAmount
    /// Datagrams read per `recvmmsg` call.
    public var datagramVectorReadCount: Int

    public init(
        addresses: [String] = ["0.0.0.0", "::"],
        port: Int = 3478,
        udp: Bool = true,
        tcp: Bool = true,
        udpSocketsPerAddress: Int = 0,
        software: String? = "Switchboard",
        tcpIdleTimeout: TimeAmount = .seconds(300),
        datagramVectorReadCount: Int = 32
    ) {
        self.addresses = addresses
        self.port = port
        self.udp = udp
        self.tcp = tcp
        self.udpSocketsPerAddress = udpSocketsPerAddress
        self.software = software
        self.tcpIdleTimeout = tcpIdleTimeout
        self.datagramVectorReadCount = datagramVectorReadCount
    }
}
