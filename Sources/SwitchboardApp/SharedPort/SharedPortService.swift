import ConnectionLimits
import CoreMetrics
import Logging
import NIOCore
import NIOPosix
import STUNCodec
import ServiceLifecycle
import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// One TCP port for everything (`shared.port`, typically 443): every accepted connection starts with a
/// ``SharedPortSniffHandler`` that hands it to HTTP, HTTPS, TURN over TCP or TURN over TLS by its first bytes.
/// Binds the port on every `stun.addresses` entry.
struct SharedPortService: Service {
    var addresses: [TransportAddress.IP]
    var port: Int
    var routes: SharedPortRoutes
    var eventLoopGroup: any EventLoopGroup
    var logger: Logger

    func run() async throws {
        var channels: [any Channel] = []
        do {
            for address in self.addresses {
                do {
                    channels.append(try await self.bind(ip: address))
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
            self.logger.error("cannot bind the shared port", metadata: ["error": "\(error)"])
            throw error
        }
        let bound = channels
        await withTaskCancellationOrGracefulShutdownHandler {
            for channel in bound {
                try? await channel.closeFuture.get()
            }
        } onCancelOrGracefulShutdown: {
            for channel in bound {
                channel.close(promise: nil)
            }
        }
    }

    private func bind(ip: TransportAddress.IP) async throws -> any Channel {
        let routes = self.routes
        let logger = self.logger
        var bootstrap = ServerBootstrap(group: self.eventLoopGroup)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Out of descriptors, accept would fail at once again: pause instead of spinning.
                    try channel.pipeline.syncOperations.addHandler(
                        AcceptPauseHandler { error in
                            logger.warning(
                                "cannot accept a shared-port connection; pausing the listener",
                                metadata: ["error": "\(error)"]
                            )
                        }
                    )
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                let key: ClientAddressKey?
                switch routes.sniffing.open(from: channel.remoteAddress) {
                case .refused:
                    routes.metrics.overCap.increment()
                    return channel.close()
                case .admitted(let admittedKey):
                    key = admittedKey
                }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        SharedPortSniffHandler(routes: routes, insideTLS: false, sniffingKey: key, logger: logger)
                    )
                }
            }
        if case .v6 = ip {
            bootstrap = bootstrap.serverChannelOption(
                .socket(SocketOptionLevel(IPPROTO_IPV6), SocketOptionName(IPV6_V6ONLY)),
                value: 1
            )
        }
        let channel = try await bootstrap.bind(
            to: TransportAddress(ip: ip, port: UInt16(self.port)).makeSocketAddress()
        ).get()
        let address = channel.localAddress.map { TURNService.ListeningSocket.format($0) } ?? "?"
        self.logger.info(
            "shared port listening",
            metadata: [
                "address": "\(address)",
                "protocols": "\(SharedPortProtocol.allCases.filter(self.routes.accepts.contains).map(\.rawValue))",
            ]
        )
        return channel
    }
}
