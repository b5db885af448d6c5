import Cluster
import ConnectionLimits
import Crypto
import Dialects
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import Prometheus
import STUNCodec
import ServiceLifecycle
import SignalingServer
import TURNServer
import UnixSignals

/// Wires one Switchboard process from its configuration: the event loops, the STUN/TURN service and the HTTP
/// server, all in one service group that stops gracefully on SIGTERM and SIGINT and, given its
/// ``ConfigurationSource``, reloads its configuration on SIGHUP (``ConfigurationReloader``).
public struct SwitchboardApplication: Sendable {
    public let configuration: SwitchboardConfiguration
    /// The TURN REST API secrets at start: the configured ones, or one generated at start. Never logged.
    let turnSecrets: [String]
    /// The secret used whenever `turn.secrets` is empty, at start or after a reload. Never logged.
    let generatedSecret: String
    /// Where the configuration came from, read again on SIGHUP and `POST /api/reload`; nil: no reloading (SIGHUP
    /// keeps its default action and `/api/reload` is not served).
    public var source: ConfigurationSource?
    /// The secret that signs the ICE credentials handed out: the first of the secrets in force.
    let signingSecret: NIOLockedValueBox<String>

    /// - Parameters:
    ///   - configuration: the validated configuration.
    ///   - source: where it came from; with one, SIGHUP reloads it (``ConfigurationReloadService``).
    public init(configuration: SwitchboardConfiguration, source: ConfigurationSource? = nil) {
        self.configuration = configuration
        self.source = source
        self.generatedSecret = Self.generateSecret()
        self.turnSecrets = configuration.turn.restSecrets(generated: self.generatedSecret)
        self.signingSecret = NIOLockedValueBox(self.turnSecrets[0])
    }

    /// The TLS chain and key every TLS listener uses, replaced by a reload; nil without `tls.certificateFile`.
    func makeCertificateStore() throws -> TLSCertificateStore? {
        guard self.configuration.tls.hasCertificate else {
            return nil
        }
        let (chain, key) = try ServerTLSConfiguration.loadFiles(self.configuration.tls)
        return TLSCertificateStore(chain: chain, key: key)
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run(metricsRegistry: PrometheusCollectorRegistry) async throws {
        let logger = Logger(label: "switchboard")
        // Every connection is a descriptor: take all the process may have before the caps are fitted to it.
        DescriptorBudget.raiseSoftLimit()
        let hostIPs = ((try? System.enumerateDevices()) ?? []).compactMap {
            $0.address.flatMap(TransportAddress.init)?.ip
        }
        for missing in self.configuration.turn.externalAddresses.privateIPs(missingFrom: hostIPs) {
            logger.warning(
                "turn.relay.externalAddresses: no interface has this private address; it is never advertised as public",
                metadata: ["address": "\(missing.text)"]
            )
        }
        let threads = self.configuration.process.threads == 0 ? System.coreCount : self.configuration.process.threads
        let eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        logger.info(
            "starting Switchboard",
            metadata: [
                "threads": "\(threads)",
                "turn.realm": "\(self.configuration.turn.realm)",
                "turn.secret": self.configuration.turn.secrets.isEmpty ? "generated at start" : "configured",
            ]
        )

        var listeners: Set<ReadinessGate.Listener> = [.stun, .http]
        if self.configuration.tls.port > 0 {
            listeners.insert(.https)
        }
        if self.configuration.access.adminPort > 0 {
            listeners.insert(.admin)
        }
        let isTestApp = self.configuration.signaling.testApp
        if self.configuration.dialects.rawWebSocketPort > 0 && !isTestApp {
            listeners.insert(.rawWebSocket)
        }
        let systemd = SystemdNotifyService(
            notifier: SystemdNotifier(environment: ProcessInfo.processInfo.environment),
            expecting: listeners
        )
        let certificates = try self.makeCertificateStore()
        var turnsContext: NIOSSLContext?
        if self.configuration.turnsEnabled {
            turnsContext = try NIOSSLContext(
                configuration: ServerTLSConfiguration.load(self.configuration.tls, store: certificates)
            )
        }
        let turnService = TURNService(
            configuration: self.turnServerConfiguration,
            eventLoopGroup: eventLoopGroup,
            logger: Logger(label: "switchboard.stun"),
            tlsContext: turnsContext,
            onReady: { systemd.bound(.stun) }
        )

        let router = Router(context: SwitchboardRequestContext.self)
        HTTPRoutes.add(to: router, turnService: turnService)
        let iceServers = self.iceServersProvider(turnService: turnService)
        ICEServersAPI(configuration: self.configuration.access, provider: iceServers).add(to: router)
        let signaling = SignalingSetup(
            configuration: self.configuration,
            eventLoopGroup: eventLoopGroup,
            logger: Logger(label: "switchboard.signaling")
        )
        signaling.addRoutes(to: router)
        var webSocketEndpoints = signaling.webSocketEndpoints
        // A cluster orders every dialect event through PostgreSQL; a single node applies them at once.
        let clusterLog = self.configuration.cluster.map { cluster in
            PostgresEventLog(
                configuration: cluster,
                eventLoop: eventLoopGroup.any(),
                logger: Logger(label: "switchboard.cluster")
            )
        }
        let eventLog: any DialectEventLog = clusterLog ?? DirectEventLog()
        clusterLog?.relayBroadcasts(
            of: signaling.server,
            scope: "socket.io:" + signaling.server.engine.configuration.path
        )
        var dialects: SignalingDialects?
        var allDialects: [SignalingDialects] = []
        var pinnedServices: [any Service] = []
        var rawWebSocket: RawWebSocketDialect?
        if !isTestApp {
            let installed = self.installDialects(
                on: signaling.server,
                router: router,
                iceServers: iceServers,
                eventLog: eventLog
            )
            dialects = installed.dialects
            allDialects.append(installed.dialects)
            rawWebSocket = installed.rawWebSocket
            if let rawWebSocket = installed.rawWebSocket, self.configuration.dialects.rawWebSocketPath != nil {
                webSocketEndpoints.append(rawWebSocket)
            }
            // Extra endpoints pinned to one dialect each (`dialects.pinnedPaths`).
            for (path, dialect) in self.configuration.dialects.pinnedPaths {
                var pinnedConfiguration = self.configuration.signaling.server
                pinnedConfiguration.path = path
                let pinnedServer = SocketIOServer(
                    configuration: pinnedConfiguration,
                    eventLoopGroup: eventLoopGroup,
                    logger: Logger(label: "switchboard.signaling")
                )
                pinnedServer.addRoutes(to: router)
                clusterLog?.relayBroadcasts(of: pinnedServer, scope: "socket.io:" + path)
                webSocketEndpoints.append(pinnedServer.webSocketEndpoint)
                let pinnedDialects = SignalingDialects(
                    server: pinnedServer,
                    configuration: self.configuration.dialects.configuration(selection: dialect),
                    iceServers: { handshake, user in
                        iceServers.iceServers(requestHost: handshake.request.authority, user: user)
                    },
                    eventLog: eventLog,
                    logger: Logger(label: "switchboard.dialects")
                )
                allDialects.append(pinnedDialects)
                pinnedServices.append(SignalingService(server: pinnedServer))
            }
        }
        let started = ContinuousClock.now
        let chatroom = dialects?.chatroom
        WebRoutes.add(to: router)
        let reloader = self.source.map { source in
            ConfigurationReloader(
                source: source,
                running: self.configuration,
                targets: ConfigurationReloader.Targets(
                    turnService: turnService,
                    generatedSecret: self.generatedSecret,
                    signingSecret: self.signingSecret,
                    certificates: certificates,
                    logLevel: LoggingBootstrap.level,
                    dialects: allDialects
                ),
                logger: Logger(label: "switchboard.reload")
            )
        }
        var operatorRoutes = OperatorRoutes(
            access: AdminAccess(configuration: self.configuration.access),
            metricsRegistry: metricsRegistry
        ) {
            let turn = turnService.status
            return StatusSnapshot(
                uptimeSeconds: Int((ContinuousClock.now - started).components.seconds),
                rooms: chatroom?.roomSummary ?? [],
                turnAllocations: turn.allocations,
                relayedPacketsToPeer: turn.traffic.packetsToPeer,
                relayedBytesToPeer: turn.traffic.bytesToPeer,
                relayedPacketsToClient: turn.traffic.packetsToClient,
                relayedBytesToClient: turn.traffic.bytesToClient
            )
        }
        if let reloader {
            operatorRoutes.reload = { reloader.reload().json }
        }
        operatorRoutes.add(to: router, listener: .main)
        let httpLogger = Logger(label: "switchboard.http")
        var services: [any Service] = [turnService, MemoryReclaimer()] + signaling.services + pinnedServices
        if let clusterLog {
            services.append(clusterLog)
        }
        if self.configuration.access.adminPort > 0 {
            services.append(
                self.makeAdminApplication(operatorRoutes, eventLoopGroup: eventLoopGroup, logger: httpLogger) {
                    systemd.bound(.admin)
                }
            )
        }
        // HTTP/1.1; WebSocket upgrades on the signaling paths are served in the channel pipeline.
        let httpLimits = self.httpConnectionLimits(logger: httpLogger)
        // The HTTP child channel the main server builds is kept for the shared port, which serves the same routes.
        let httpChannel = NIOLockedValueBox<HTTP1WebSocketEndpointsChannel?>(nil)
        let endpoints = webSocketEndpoints
        let serverBuilder = HTTPServerBuilder { responder in
            let channel = HTTP1WebSocketEndpointsChannel(responder: responder, endpoints: endpoints, limits: httpLimits)
            httpChannel.withLockedValue { $0 = $0 ?? channel }
            return channel
        }
        if self.configuration.shared.port > 0 {
            services.append(
                try self.makeSharedPortService(
                    turnService: turnService,
                    certificates: certificates,
                    httpChannel: httpChannel,
                    eventLoopGroup: eventLoopGroup,
                    logger: httpLogger
                )
            )
        }
        if self.configuration.tls.port > 0 {
            services.append(
                try self.makeTLSApplication(
                    router: router,
                    certificates: certificates,
                    server: serverBuilder,
                    eventLoopGroup: eventLoopGroup,
                    metrics: httpLimits.metrics,
                    logger: httpLogger
                ) { systemd.bound(.https) }
            )
        }
        if let rawWebSocket, self.configuration.dialects.rawWebSocketPort > 0 {
            services.append(
                RawWebSocketListener(
                    dialect: rawWebSocket,
                    host: self.configuration.http.host,
                    port: self.configuration.dialects.rawWebSocketPort,
                    origin: self.configuration.dialects.rawWebSocketPortOrigin,
                    limits: httpLimits,
                    eventLoopGroup: eventLoopGroup,
                    logger: httpLogger
                ) { systemd.bound(.rawWebSocket) }
            )
        }
        if let reloader {
            services.append(
                ConfigurationReloadService(
                    reloader: reloader,
                    pidFile: self.configuration.process.pidFile,
                    logger: logger
                )
            )
            if certificates != nil && self.configuration.tls.watchIntervalSeconds > 0 {
                let interval = Duration.seconds(self.configuration.tls.watchIntervalSeconds)
                services.append(CertificateWatchService(reloader: reloader, interval: interval))
            }
        }
        // Last: the first service told of a shutdown after the HTTP server itself.
        services.append(systemd)
        let app = Application(
            router: router,
            server: serverBuilder,
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.http.host, port: self.configuration.http.port),
                serverName: "Switchboard"
            ),
            services: services,
            onServerRunning: { channel in
                let address = channel.localAddress.map { TURNService.ListeningSocket.format($0) } ?? "?"
                httpLogger.info("HTTP listening", metadata: ["transport": "tcp", "address": "\(address)"])
                systemd.bound(.http)
                await Self.pauseOnAcceptFailures(of: channel, metrics: httpLimits.metrics, logger: httpLogger)
            },
            eventLoopGroupProvider: .shared(eventLoopGroup),
            logger: httpLogger
        )
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            try? await eventLoopGroup.shutdownGracefully()
            throw error
        }
        try await eventLoopGroup.shutdownGracefully()
        logger.info("Switchboard stopped")
    }

    /// The HTTP servers' timeouts and connection caps, the total lowered to half of the descriptors the process
    /// may open (see ``DescriptorBudget``).
    func httpConnectionLimits(logger: Logger) -> HTTPConnectionLimits {
        let total = Self.descriptorCap(
            "http.maxConnections",
            configured: self.configuration.http.maxConnections,
            share: (1, 2),
            logger: logger
        )
        return HTTPConnectionLimits(
            headTimeout: .seconds(Int64(self.configuration.http.requestHeadTimeoutSeconds)),
            idleTimeout: .seconds(Int64(self.configuration.http.idleTimeoutSeconds)),
            ledger: SharedConnectionLedger(
                totalLimit: total,
                perAddressLimit: self.configuration.http.maxConnectionsPerAddress
            ),
            metrics: HTTPConnectionMetrics()
        )
    }

    /// `configured` (the value of `key`), lowered to `share` of the descriptors the process may open, with a
    /// warning when lowered.
    static func descriptorCap(_ key: String, configured: Int, share: (Int, Int), logger: Logger) -> Int {
        let limit = DescriptorBudget.currentLimit()
        let cap = DescriptorBudget.cap(
            configured: configured,
            descriptorLimit: limit,
            shareNumerator: share.0,
            shareDenominator: share.1
        )
        if cap != configured {
            logger.warning(
                "connection cap lowered to fit the file descriptor limit",
                metadata: [
                    "key": "\(key)", "configured": "\(configured)", "cap": "\(cap)",
                    "descriptorLimit": "\(limit.map { "\($0)" } ?? "none")",
                ]
            )
        }
        return cap
    }

    /// Pauses an HTTP listener after a failed `accept` (see ``AcceptPauseHandler``), counted and logged.
    static func pauseOnAcceptFailures(of channel: any Channel, metrics: HTTPConnectionMetrics, logger: Logger) async {
        do {
            try await channel.eventLoop.submit {
                let pause = AcceptPauseHandler { error in
                    metrics.acceptFailed()
                    logger.warning(
                        "cannot accept an HTTP connection; pausing the listener",
                        metadata: ["error": "\(error)"]
                    )
                }
                try channel.pipeline.syncOperations.addHandler(pause, position: .first)
            }.get()
        } catch {
            logger.warning("cannot pause the HTTP listener on accept failures", metadata: ["error": "\(error)"])
        }
    }

    var turnServerConfiguration: TURNServerConfiguration {
        var configuration = TURNServerConfiguration(self.configuration, restSecrets: self.turnSecrets)
        configuration.tcpMaxConnections = Self.descriptorCap(
            "stun.tcpMaxConnections",
            configured: self.configuration.stun.tcpMaxConnections,
            share: (1, 4),
            logger: Logger(label: "switchboard.stun")
        )
        return configuration
    }

    /// The seed dialects (A, B and D over Socket.IO, C over a raw WebSocket) with the ICE configuration they hand
    /// out on join; returns them with dialect C when its path or its port is configured.
    func installDialects(
        on server: SocketIOServer,
        router: Router<SwitchboardRequestContext>,
        iceServers: ICEServersProvider,
        eventLog: any DialectEventLog = DirectEventLog()
    ) -> (dialects: SignalingDialects, rawWebSocket: RawWebSocketDialect?) {
        let dialects = SignalingDialects(
            server: server,
            configuration: self.configuration.dialects.configuration(selection: self.configuration.dialects.selection),
            iceServers: { handshake, user in
                iceServers.iceServers(requestHost: handshake.request.authority, user: user)
            },
            eventLog: eventLog,
            logger: Logger(label: "switchboard.dialects")
        )
        dialects.addRoutes(to: router)
        guard self.configuration.dialects.rawWebSocketPath != nil || self.configuration.dialects.rawWebSocketPort > 0
        else {
            return (dialects, nil)
        }
        let signaling = self.configuration.signaling.server
        let rawWebSocket = RawWebSocketDialect(
            path: self.configuration.dialects.rawWebSocketPath ?? "",
            iceServers: { host, connection in iceServers.iceServers(requestHost: host, user: connection) },
            logger: Logger(label: "switchboard.dialects"),
            outboundBufferBytes: signaling.outboundBufferBytes,
            sendTimeout: .milliseconds(Int64(signaling.sendTimeoutMilliseconds)),
            eventLog: eventLog
        )
        return (dialects, rawWebSocket)
    }

    /// The second HTTP server, with TLS (HTTPS and WSS), serving the same routes: dialect B's clients hard-code
    /// `https://HOST:8443`.
    func makeTLSApplication(
        router: Router<SwitchboardRequestContext>,
        certificates: TLSCertificateStore?,
        server: HTTPServerBuilder,
        eventLoopGroup: any EventLoopGroup,
        metrics: HTTPConnectionMetrics,
        logger: Logger,
        onBound: @escaping @Sendable () -> Void = {}
    ) throws -> some Service {
        let tlsConfiguration = try ServerTLSConfiguration.load(self.configuration.tls, store: certificates)
        return Application(
            router: router,
            server: try .tls(server, tlsConfiguration: tlsConfiguration),
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.http.host, port: self.configuration.tls.port),
                serverName: "Switchboard"
            ),
            onServerRunning: { channel in
                let address = channel.localAddress.map { TURNService.ListeningSocket.format($0) } ?? "?"
                logger.info("HTTPS listening", metadata: ["transport": "tls", "address": "\(address)"])
                onBound()
                await Self.pauseOnAcceptFailures(of: channel, metrics: metrics, logger: logger)
            },
            eventLoopGroupProvider: .shared(eventLoopGroup),
            logger: logger
        )
    }

    /// The listener of `shared.port`: its connections go to the TURN service's stream pipeline or to the HTTP
    /// child channel of the main server (the same routes), in the clear or over TLS.
    func makeSharedPortService(
        turnService: TURNService,
        certificates: TLSCertificateStore?,
        httpChannel: NIOLockedValueBox<HTTP1WebSocketEndpointsChannel?>,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger
    ) throws -> SharedPortService {
        let accepts = self.configuration.shared.protocols
        var tls: NIOSSLContext?
        if !accepts.isDisjoint(with: [.https, .turns]) {
            var tlsConfiguration = try ServerTLSConfiguration.load(self.configuration.tls, store: certificates)
            tlsConfiguration.applicationProtocols = SharedPortSniffer.alpnProtocols
            tls = try NIOSSLContext(configuration: tlsConfiguration)
        }
        let routes = SharedPortRoutes(
            accepts: accepts,
            sniffTimeout: .seconds(Int64(self.configuration.shared.sniffTimeoutSeconds)),
            tls: tls,
            sniffing: SharedConnectionLedger(
                totalLimit: turnService.streamConnectionLimits.total,
                perAddressLimit: turnService.streamConnectionLimits.perAddress
            ),
            serveTURN: { channel in turnService.serveStream(on: channel, tls: nil) },
            serveHTTP: { channel in
                guard let http = httpChannel.withLockedValue({ $0 }) else {
                    return channel.close()
                }
                return http.setup(channel: channel, logger: logger).map { value in
                    Task { await http.handle(value: value, logger: logger) }
                }
            }
        )
        return SharedPortService(
            addresses: self.configuration.stun.addresses,
            port: self.configuration.shared.port,
            routes: routes,
            eventLoopGroup: eventLoopGroup,
            logger: Logger(label: "switchboard.shared")
        )
    }

    /// The plain HTTP server on `admin.port` (bound to `admin.host`): the operator endpoints and the status page's
    /// assets, nothing else.
    func makeAdminApplication(
        _ operatorRoutes: OperatorRoutes,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        onBound: @escaping @Sendable () -> Void = {}
    ) -> some Service {
        let router = Router(context: SwitchboardRequestContext.self)
        operatorRoutes.add(to: router, listener: .admin)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(
                address: .hostname(self.configuration.access.adminHost, port: self.configuration.access.adminPort),
                serverName: "Switchboard"
            ),
            onServerRunning: { channel in
                let address = channel.localAddress.map { TURNService.ListeningSocket.format($0) } ?? "?"
                logger.info("admin HTTP listening", metadata: ["transport": "tcp", "address": "\(address)"])
                onBound()
            },
            eventLoopGroupProvider: .shared(eventLoopGroup),
            logger: logger
        )
    }

    /// The ICE configuration handed to clients, with the port the STUN/TURN listeners bound.
    func iceServersProvider(turnService: TURNService) -> ICEServersProvider {
        let interfaces = ((try? System.enumerateDevices()) ?? []).compactMap { $0.address?.ipAddress }
        var provider = ICEServersProvider(
            hosts: HostAllowList(configuration: self.configuration, interfaceAddresses: interfaces),
            port: self.configuration.stun.port,
            udp: self.configuration.stun.udp,
            tcp: self.configuration.stun.tcp,
            turnEnabled: self.configuration.turn.enabled,
            secret: self.turnSecrets[0],
            ttlSeconds: self.configuration.ice.credentialTTLSeconds,
            boundPort: { turnService.listeningSockets.first?.address.port }
        )
        let signingSecret = self.signingSecret
        provider.secretSource = { signingSecret.withLockedValue { $0 } }
        if self.configuration.turn.enabled {
            if self.configuration.turnsEnabled {
                provider.tlsPorts.append(self.configuration.stun.tlsPort)
            }
            if self.configuration.shared.serves(.turns) {
                provider.tlsPorts.append(self.configuration.shared.port)
            }
        }
        return provider
    }

    /// 32 random bytes, base64: the TURN REST secret of a process that was given none.
    static func generateSecret() -> String {
        let key = SymmetricKey(size: .bits256)
        return key.withUnsafeBytes { Data($0).base64EncodedString() }
    }
}
