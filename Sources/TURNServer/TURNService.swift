import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The STUN/TURN listener service: binds the client-facing UDP and TCP sockets on every configured address and
/// serves them until graceful shutdown.
///
/// UDP scales across cores the way the relay needs: one SO_REUSEPORT socket per event loop on the same port
/// (the kernel hashes each client's 5-tuple to one socket, so a client always lands on the same loop), each read
/// with `recvmmsg` batches (`datagramVectorReadMessageCount`).
public final class TURNService: Service {
    private let configuration: TURNServerConfiguration
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let metrics: STUNMetrics
    private let listening: NIOLockedValueBox<[ListeningSocket]> = NIOLockedValueBox([])
    private let ready = NIOLockedValueBox(false)

    /// One bound socket, for logs and tests.
    public struct ListeningSocket: Sendable, Hashable, CustomStringConvertible {
        public var transport: String
        public var address: SocketAddress

        public var description: String { "\(self.transport)://\(Self.format(self.address))" }

        /// `192.0.2.1:3478` or `[2001:db8::1]:3478`, the way operators write addresses.
        public static func format(_ address: SocketAddress) -> String {
            switch address {
            case .v4: return "\(address.ipAddress ?? "?"):\(address.port ?? 0)"
            case .v6: return "[\(address.ipAddress ?? "?")]:\(address.port ?? 0)"
            default: return "\(address)"
            }
        }
    }

    public init(
        configuration: TURNServerConfiguration,
        eventLoopGroup: MultiThreadedEventLoopGroup,
        logger: Logger,
        metrics: STUNMetrics = STUNMetrics()
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.metrics = metrics
    }

    /// Whether every configured listener is bound (what `/healthz` reports).
    public var isReady: Bool {
        self.ready.withLockedValue { $0 }
    }

    /// The sockets bound so far (every UDP socket of a SO_REUSEPORT group is listed once).
    public var listeningSockets: [ListeningSocket] {
        self.listening.withLockedValue { $0 }
    }

    public func run() async throws {
        let channels: [any Channel]
        do {
            channels = try await self.bindAll()
        } catch {
            self.logger.error("cannot bind the STUN/TURN listeners", metadata: ["error": "\(error)"])
            throw error
        }
        self.ready.withLockedValue { $0 = true }
        await withTaskCancellationOrGracefulShutdownHandler {
            for channel in channels {
                try? await channel.closeFuture.get()
            }
        } onCancelOrGracefulShutdown: {
            for channel in channels {
                channel.close(promise: nil)
            }
        }
        self.ready.withLockedValue { $0 = false }
        self.logger.info("STUN/TURN listeners stopped")
    }

    // MARK: - Binding sockets

    private func bindAll() async throws -> [any Channel] {
        var channels: [any Channel] = []
        var port = self.configuration.port
        do {
            for address in self.configuration.addresses {
                do {
                    if self.configuration.udp {
                        let bound = try await self.bindUDP(host: address, port: port)
                        port = bound.first?.localAddress?.port ?? port
                        channels += bound
                    }
                    if self.configuration.tcp {
                        let bound = try await self.bindTCP(host: address, port: port)
                        port = bound.localAddress?.port ?? port
                        channels.append(bound)
                    }
                } catch let error as IOError
                    where address.contains(":") && [EAFNOSUPPORT, EADDRNOTAVAIL].contains(error.errnoCode)
                {
                    self.logger.warning(
                        "IPv6 is not available on this host; skipping the address",
                        metadata: ["address": "\(address)", "error": "\(error)"]
                    )
                }
            }
        } catch {
            for channel in channels {
                try? await channel.close()
            }
            throw error
        }
        return channels
    }

    /// Binds one SO_REUSEPORT UDP socket per event loop (or `udpSocketsPerAddress` of them, round robin).
    private func bindUDP(host: String, port: Int) async throws -> [any Channel] {
        var loops = Array(self.eventLoopGroup.makeIterator())
        if self.configuration.udpSocketsPerAddress > 0 {
            loops = (0..<self.configuration.udpSocketsPerAddress).map { loops[$0 % loops.count] }
        }
        var channels: [any Channel] = []
        var port = port
        let isIPv6 = host.contains(":")
        for loop in loops {
            let responder = BindingResponder(software: self.configuration.software)
            let metrics = self.metrics
            let logger = self.logger
            let readCount = self.configuration.datagramVectorReadCount
            var bootstrap = DatagramBootstrap(group: loop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelOption(.socket(SocketOptionLevel(SOL_SOCKET), SocketOptionName(SO_REUSEPORT)), value: 1)
                .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                .channelOption(.datagramVectorReadMessageCount, value: readCount)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: readCount * 2048))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            STUNDatagramHandler(responder: responder, metrics: metrics, logger: logger)
                        )
                    }
                }
            if isIPv6 {
                bootstrap = bootstrap.channelOption(
                    .socket(SocketOptionLevel(IPPROTO_IPV6), SocketOptionName(IPV6_V6ONLY)),
                    value: 1
                )
            }
            let channel = try await bootstrap.bind(host: host, port: port).get()
            if port == 0, let boundPort = channel.localAddress?.port {
                port = boundPort
            }
            channels.append(channel)
        }
        if let address = channels.first?.localAddress {
            self.listening.withLockedValue { $0.append(ListeningSocket(transport: "udp", address: address)) }
            self.logger.info(
                "STUN listening",
                metadata: [
                    "transport": "udp", "address": "\(ListeningSocket.format(address))", "sockets": "\(channels.count)",
                ]
            )
        }
        return channels
    }

    /// Binds one TCP listener; accepted connections are spread over the event loops.
    private func bindTCP(host: String, port: Int) async throws -> any Channel {
        let responder = BindingResponder(software: self.configuration.software)
        let metrics = self.metrics
        let logger = self.logger
        let idleTimeout = self.configuration.tcpIdleTimeout
        var bootstrap = ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        IdleStateHandler(readTimeout: idleTimeout),
                        ByteToMessageHandler(STUNStreamFrameDecoder()),
                        STUNStreamHandler(responder: responder, metrics: metrics, logger: logger)
                    )
                }
            }
        if host.contains(":") {
            bootstrap = bootstrap.serverChannelOption(
                .socket(SocketOptionLevel(IPPROTO_IPV6), SocketOptionName(IPV6_V6ONLY)),
                value: 1
            )
        }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        if let address = channel.localAddress {
            self.listening.withLockedValue { $0.append(ListeningSocket(transport: "tcp", address: address)) }
            self.logger.info(
                "STUN listening",
                metadata: ["transport": "tcp", "address": "\(ListeningSocket.format(address))"]
            )
        }
        return channel
    }
}
