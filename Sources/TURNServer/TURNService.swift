import ConnectionLimits
import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import STUNCodec
import ServiceLifecycle
import Synchronization

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
/// with `recvmmsg` batches (``DatagramReceiver``).
public final class TURNService: Service {
    private let configuration: TURNServerConfiguration
    private let eventLoopGroup: MultiThreadedEventLoopGroup
    private let logger: Logger
    private let metrics: STUNMetrics
    private let turnMetrics: TURNMetrics
    private let shared: TURNSharedState
    private let tables: NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<AllocationTable>]> = NIOLockedValueBox([:])
    private let listening: NIOLockedValueBox<[ListeningSocket]> = NIOLockedValueBox([])
    private let ready = NIOLockedValueBox(false)
    /// Called once every listener is bound (systemd readiness).
    private let onReady: @Sendable () -> Void
    /// The open TCP connections of every TCP listener, under `tcpMaxConnections` and `tcpMaxConnectionsPerAddress`.
    private let tcpConnections: SharedConnectionLedger
    /// The server side of TURN over TLS (`tlsPort`); nil serves no TLS.
    private let tlsContext: NIOSSLContext?

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
        metrics: STUNMetrics = STUNMetrics(),
        turnMetrics: TURNMetrics = TURNMetrics(),
        tlsContext: NIOSSLContext? = nil,
        onReady: @escaping @Sendable () -> Void = {}
    ) {
        self.onReady = onReady
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
        self.metrics = metrics
        self.turnMetrics = turnMetrics
        self.shared = TURNSharedState(configuration: configuration, metrics: turnMetrics, logger: logger)
        self.tcpConnections = SharedConnectionLedger(
            totalLimit: configuration.tcpMaxConnections,
            perAddressLimit: configuration.tcpMaxConnectionsPerAddress
        )
    }

    /// Creates one allocation table per event loop, on its loop.
    private func startTables() async throws {
        guard self.configuration.turnEnabled else {
            return
        }
        for loop in self.eventLoopGroup.makeIterator() {
            let shared = self.shared
            let bound = try await loop.submit {
                let table = AllocationTable(eventLoop: loop, shared: shared)
                table.start()
                return NIOLoopBound(table, eventLoop: loop)
            }.get()
            self.tables.withLockedValue { $0[ObjectIdentifier(loop)] = bound }
        }
    }

    private func stopTables() async {
        let tables = self.tables.withLockedValue { tables in
            defer { tables = [:] }
            return Array(tables.values)
        }
        for table in tables {
            try? await table.eventLoop.submit { table.value.stop() }.get()
        }
        self.shared.reservations.closeAll()
    }

    /// The allocation table of `loop` (call on that loop), nil when TURN is off.
    private func table(for loop: any EventLoop) -> AllocationTable? {
        self.tables.withLockedValue { $0[ObjectIdentifier(loop)] }?.value
    }

    /// The caps of stream connections in force (`tcpMaxConnections`, `tcpMaxConnectionsPerAddress`; 0 unlimited).
    public var streamConnectionLimits: (total: Int, perAddress: Int) {
        self.tcpConnections.limits
    }

    /// Whether every configured listener is bound (what `/healthz` reports).
    public var isReady: Bool {
        self.ready.withLockedValue { $0 }
    }

    /// A snapshot for the status page: live allocations and relayed traffic since start (flushed once a second).
    public var status: (allocations: Int, traffic: TURNTrafficTotals) {
        (
            self.shared.quota.withLockedValue { $0.count } - self.shared.reservations.count,
            self.turnMetrics.totals.withLock { $0 }
        )
    }

    /// The reloadable settings in force (the configuration's at start, then those of the last ``apply(_:)``).
    public var reloadableSettings: TURNReloadableSettings {
        self.shared.settings
    }

    /// Puts new users, secrets, quotas, peer lists and bandwidth cap in force for the requests that follow, without
    /// touching the listeners or the allocations already made (see ``TURNReloadableSettings``).
    public func apply(_ settings: TURNReloadableSettings) {
        self.shared.apply(settings)
    }

    /// The sockets bound so far (every UDP socket of a SO_REUSEPORT group is listed once).
    public var listeningSockets: [ListeningSocket] {
        self.listening.withLockedValue { $0 }
    }

    public func run() async throws {
        let channels: [any Channel]
        do {
            try await self.startTables()
            channels = try await self.bindAll()
            let interfaceIPs = Self.interfaceIPs()
            self.shared.updateServerAddresses(
                self.serverAddresses(interfaceIPs: interfaceIPs),
                interfaceIPs: interfaceIPs
            )
        } catch {
            self.logger.error("cannot bind the STUN/TURN listeners", metadata: ["error": "\(error)"])
            await self.stopTables()
            throw error
        }
        self.ready.withLockedValue { $0 = true }
        self.onReady()
        await withTaskCancellationOrGracefulShutdownHandler {
            if channels.isEmpty {
                // No listener of its own (`shared.port` the only way in): the tables serve until the stop.
                try? await gracefulShutdown()
            }
            for channel in channels {
                try? await channel.closeFuture.get()
            }
        } onCancelOrGracefulShutdown: {
            for channel in channels {
                channel.close(promise: nil)
            }
        }
        self.ready.withLockedValue { $0 = false }
        await self.stopTables()
        self.logger.info("STUN/TURN listeners stopped")
    }

    // MARK: - Binding sockets

    private func bindAll() async throws -> [any Channel] {
        var channels: [any Channel] = []
        var port = self.configuration.port
        do {
            for address in self.configuration.addresses {
                do {
                    if self.configuration.udp, let discovery = self.discoveryEndpoints(at: address) {
                        channels += try await self.bindDiscoveryUDP(discovery)
                    } else if self.configuration.udp {
                        let bound = try await self.bindUDP(ip: address, port: port)
                        port = bound.first?.localAddress?.port ?? port
                        channels += bound
                    }
                    if self.configuration.tcp {
                        let bound = try await self.bindTCP(ip: address, port: port, tls: nil)
                        port = bound.localAddress?.port ?? port
                        channels.append(bound)
                    }
                    if let tlsContext = self.tlsContext, self.configuration.tlsPort > 0 {
                        channels.append(
                            try await self.bindTCP(ip: address, port: self.configuration.tlsPort, tls: tlsContext)
                        )
                    }
                } catch let error as IOError where error.meansIPv6Unavailable(binding: address) {
                    self.logger.warning(
                        "IPv6 is not available on this host; skipping the address",
                        metadata: ["address": "\(address.text)", "error": "\(error)"]
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

    /// The RFC 5780 addresses when `ip` is their primary IP.
    private func discoveryEndpoints(at ip: TransportAddress.IP) -> NATDiscoveryEndpoints? {
        guard let discovery = self.configuration.natDiscovery, ip == discovery.primary.ip else {
            return nil
        }
        return discovery
    }

    /// The server's own addresses for the peer policy: every listening socket, with wildcard addresses expanded
    /// to the host's interface addresses of that family.
    private func serverAddresses(interfaceIPs: [TransportAddress.IP]) -> [TransportAddress] {
        var addresses: [TransportAddress] = []
        for socket in self.listeningSockets {
            guard let address = TransportAddress(socket.address) else {
                continue
            }
            if AllocationTable.isWildcard(address.ip) {
                for ip in interfaceIPs where TransportAddress(ip: ip, port: 0).family == address.family {
                    addresses.append(TransportAddress(ip: ip, port: address.port))
                }
            }
            addresses.append(address)
        }
        return addresses
    }

    /// The IPs of the host's interfaces.
    private static func interfaceIPs() -> [TransportAddress.IP] {
        ((try? System.enumerateDevices()) ?? []).compactMap { device in
            device.address.flatMap(TransportAddress.init)?.ip
        }
    }

    /// The event loops of the UDP sockets of one address: one per loop, or `udpSocketsPerAddress` round robin.
    private var udpLoops: [any EventLoop] {
        let loops = Array(self.eventLoopGroup.makeIterator())
        guard self.configuration.udpSocketsPerAddress > 0 else {
            return loops
        }
        return (0..<self.configuration.udpSocketsPerAddress).map { loops[$0 % loops.count] }
    }

    /// Binds one SO_REUSEPORT UDP socket per event loop (or `udpSocketsPerAddress` of them, round robin).
    private func bindUDP(ip: TransportAddress.IP, port: Int) async throws -> [any Channel] {
        var channels: [any Channel] = []
        var port = port
        for loop in self.udpLoops {
            // The socket is opened here rather than by the bootstrap so that the relay can send on it directly.
            let address = TransportAddress(ip: ip, port: UInt16(port))
            let socket = try DatagramSocket.make(boundTo: address, receiveBufferSize: 4 << 20, reusePort: true)
            let channel = try await self.startUDPChannel(on: loop, socket: socket, address: address, siblings: [:])
            if port == 0, let boundPort = channel.localAddress?.port {
                port = boundPort
            }
            channels.append(channel)
        }
        self.registerUDP(channels)
        return channels
    }

    /// Binds the RFC 5780 addresses (primary, alternate IP and/or port): on every loop one socket per address,
    /// each handler holding its loop's sockets of the others, so a response can leave from any of them.
    private func bindDiscoveryUDP(_ endpoints: NATDiscoveryEndpoints) async throws -> [any Channel] {
        var byAddress: [TransportAddress: [any Channel]] = [:]
        var channels: [any Channel] = []
        do {
            for loop in self.udpLoops {
                var sockets: [TransportAddress: DatagramSocket] = [:]
                for address in endpoints.all {
                    sockets[address] = try DatagramSocket.make(
                        boundTo: address,
                        receiveBufferSize: 4 << 20,
                        reusePort: true
                    )
                }
                for address in endpoints.all {
                    guard let socket = sockets[address] else {
                        continue
                    }
                    let channel = try await self.startUDPChannel(
                        on: loop,
                        socket: socket,
                        address: address,
                        siblings: sockets
                    )
                    byAddress[address, default: []].append(channel)
                    channels.append(channel)
                }
            }
        } catch {
            for channel in channels {
                try? await channel.close()
            }
            throw error
        }
        for address in endpoints.all {
            self.registerUDP(byAddress[address] ?? [])
        }
        return channels
    }

    /// Hands one bound UDP socket to NIO on `loop` with its handler.
    private func startUDPChannel(
        on loop: any EventLoop,
        socket: DatagramSocket,
        address: TransportAddress,
        siblings: [TransportAddress: DatagramSocket]
    ) async throws -> any Channel {
        let responder = BindingResponder(
            software: self.configuration.software,
            discovery: self.configuration.natDiscovery
        )
        let metrics = self.metrics
        let logger = self.logger
        let readCount = self.configuration.datagramVectorReadCount
        // Only a wildcard socket needs IP_PKTINFO to know which of the host's addresses a client sent to.
        let readsPacketInfo = AllocationTable.isWildcard(address.ip)
        let bootstrap = DatagramBootstrap(group: loop)
            .readingOneDatagramPerWakeUp()
            .channelOption(.receivePacketInfo, value: readsPacketInfo)
            .channelInitializer { [self] channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        STUNDatagramHandler(
                            responder: responder,
                            table: self.table(for: channel.eventLoop),
                            socket: socket,
                            siblings: siblings,
                            receiver: DatagramReceiver(capacity: readCount, allocator: channel.allocator),
                            readsPacketInfo: readsPacketInfo,
                            metrics: metrics,
                            logger: logger
                        )
                    )
                }
            }
        return try await bootstrap.withBoundSocket(socket.descriptor).get()
    }

    /// Records and logs one address's UDP sockets.
    private func registerUDP(_ channels: [any Channel]) {
        guard let address = channels.first?.localAddress else {
            return
        }
        self.listening.withLockedValue { $0.append(ListeningSocket(transport: "udp", address: address)) }
        self.logger.info(
            "STUN listening",
            metadata: [
                "transport": "udp", "address": "\(ListeningSocket.format(address))", "sockets": "\(channels.count)",
            ]
        )
    }

    /// Binds one TCP listener, with TLS under the STUN framing when `tls` is given (RFC 8656 §3.1); accepted
    /// connections are spread over the event loops.
    private func bindTCP(ip: TransportAddress.IP, port: Int, tls: NIOSSLContext?) async throws -> any Channel {
        let metrics = self.metrics
        let logger = self.logger
        var bootstrap = ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, accept would fail at once again: pause instead of spinning.
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptPauseHandler { error in
                            metrics.acceptFailures.increment()
                            logger.warning(
                                "cannot accept a TCP connection; pausing the listener",
                                metadata: ["error": "\(error)"]
                            )
                        }
                    )
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { [self] channel in
                self.serveStream(on: channel, tls: tls)
            }
        if case .v6 = ip {
            bootstrap = bootstrap.serverChannelOption(
                .socket(SocketOptionLevel(IPPROTO_IPV6), SocketOptionName(IPV6_V6ONLY)),
                value: 1
            )
        }
        let channel = try await bootstrap.bind(to: TransportAddress(ip: ip, port: UInt16(port)).makeSocketAddress())
            .get()
        if let address = channel.localAddress {
            let transport = tls == nil ? "tcp" : "tls"
            self.listening.withLockedValue { $0.append(ListeningSocket(transport: transport, address: address)) }
            self.logger.info(
                "STUN listening",
                metadata: ["transport": "\(transport)", "address": "\(ListeningSocket.format(address))"]
            )
        }
        return channel
    }

    /// Serves STUN/TURN on an accepted stream connection (call on its event loop, before it reads): counted under the
    /// TCP connection caps (closed at once over one), TLS first when `tls` is given, then the STUN framing, its
    /// deadlines and the stream handler with its back-pressure budget. Every TCP, TLS and shared-port connection
    /// goes through here.
    public func serveStream(on channel: any Channel, tls: NIOSSLContext?) -> EventLoopFuture<Void> {
        let metrics = self.metrics
        let logger = self.logger
        let ledger = self.tcpConnections
        let key: ClientAddressKey?
        switch ledger.open(from: channel.remoteAddress) {
        case .refused(let reason):
            // Over a cap: closed at once (STUN over TCP has no way to say why before a request).
            metrics.refusedStreams[reason]?.increment()
            return channel.close()
        case .admitted(let admittedKey):
            key = admittedKey
        }
        channel.closeFuture.whenComplete { _ in
            ledger.close(key)
        }
        let configuration = self.configuration
        return channel.eventLoop.makeCompletedFuture {
            let table = self.table(for: channel.eventLoop)
            let fiveTuple = channel.remoteAddress.flatMap(TransportAddress.init).flatMap { client in
                channel.localAddress.flatMap(TransportAddress.init).map {
                    FiveTuple(client: client, server: $0, transport: .tcp)
                }
            }
            let handler = STUNStreamHandler(
                responder: BindingResponder(software: configuration.software),
                table: table,
                metrics: metrics,
                logger: logger,
                outboundBufferBytes: configuration.tcpOutboundBufferBytes,
                sendTimeout: configuration.tcpSendTimeout
            )
            // ChannelData framing is only valid once the connection holds an allocation; an RFC 6062 data
            // connection carries raw bytes once bound.
            let decoder = STUNStreamFrameDecoder(
                acceptsChannelData: {
                    guard let table, let fiveTuple else {
                        return false
                    }
                    return table.allocations[fiveTuple] != nil
                },
                passesBytesThrough: { handler.isDataConnection }
            )
            if let tls {
                try channel.pipeline.syncOperations.addHandlers(
                    NIOSSLServerHandler(context: tls),
                    TLSHandshakeDeadlineHandler(
                        timeout: configuration.tcpFramingTimeout,
                        metrics: metrics,
                        logger: logger
                    )
                )
            }
            try channel.pipeline.syncOperations.addHandlers(
                ByteToMessageHandler(decoder),
                STUNStreamDeadlineHandler(
                    idleTimeout: configuration.tcpIdleTimeout,
                    framingTimeout: configuration.tcpFramingTimeout,
                    metrics: metrics,
                    logger: logger
                ),
                handler
            )
        }
    }
}
