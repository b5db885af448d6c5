import Logging
import NIOCore
import NIOPosix
import STUNCodec
import Testing

@testable import TURNServer

#if canImport(Glibc)
import Glibc
#endif

/// A UDP listener as `TURNService` runs one (its own socket handed to NIO, the first datagram of a wake-up read by
/// NIO and the rest in `recvmmsg` batches, the responses of each batch sent with `sendmmsg`) under bursts from
/// several client sockets at once: every request gets exactly one answer, for its own transaction, carrying its own
/// client's address. Loopback only.
@Suite(.serialized) struct DatagramListenerBurstTests {
    static let clients = 4
    /// Requests per client and burst: four clients' bursts stay well inside the default socket buffers.
    static let requestsPerBurst = 64
    static let bursts = 4

    static let ipv6Loopback: Bool = {
        let address = TransportAddress(ip: .v6(0, 1), port: 0)
        guard let socket = try? DatagramSocket.make(boundTo: address, receiveBufferSize: 1 << 16, reusePort: false)
        else {
            return false
        }
        close(socket.descriptor)
        return true
    }()

    /// Binds a listener on `ip` on the one loop of `group`; with `turn`, an allocation table answers TURN requests.
    private func startListener(
        ip: TransportAddress.IP,
        group: MultiThreadedEventLoopGroup,
        turn: Bool
    ) async throws -> (channel: any Channel, address: TransportAddress) {
        let socket = try DatagramSocket.make(
            boundTo: TransportAddress(ip: ip, port: 0),
            receiveBufferSize: 4 << 20,
            reusePort: false
        )
        let address = try socket.boundAddress()
        let shared: TURNSharedState? =
            turn
            ? TURNSharedState(
                configuration: TURNServerConfiguration(
                    addresses: [ip],
                    realm: "example.org",
                    staticUsers: ["alice": "wonderland"]
                ),
                metrics: TURNMetrics(),
                logger: Logger(label: "test")
            ) : nil
        let channel = try await DatagramBootstrap(group: group)
            .readingOneDatagramPerWakeUp()
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        STUNDatagramHandler(
                            responder: BindingResponder(software: "burst"),
                            table: shared.map { AllocationTable(eventLoop: channel.eventLoop, shared: $0) },
                            socket: socket,
                            receiver: DatagramReceiver(capacity: 16, allocator: channel.allocator),
                            readsPacketInfo: false,
                            metrics: STUNMetrics(),
                            logger: Logger(label: "test")
                        )
                    )
                }
            }
            .withBoundSocket(socket.descriptor).get()
        return (channel, address)
    }

    /// A request of `method` with FINGERPRINT; the Allocate carries no credentials (answered 401).
    private func request(_ method: STUNMethod, _ transactionID: STUNTransactionID) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: method, messageClass: .request),
            transactionID: transactionID,
            buffer: ByteBuffer()
        )
        if method == .allocate {
            writer.append(RequestedTransport.udp)
        }
        writer.appendFingerprint()
        return writer.finish()
    }

    private func send(_ datagram: ByteBuffer, from socket: DatagramSocket, to server: TransportAddress) throws {
        let sent = datagram.withUnsafeReadableBytes { bytes in
            server.withSockaddr { address, length in
                sendto(
                    socket.descriptor,
                    bytes.baseAddress,
                    bytes.count,
                    0,
                    address.assumingMemoryBound(to: sockaddr.self),
                    length
                )
            }
        }
        try #require(sent == datagram.readableBytes)
    }

    /// Reads `count` datagrams from `socket`, waiting up to 10 s in all; fewer if they do not come.
    private func receive(_ count: Int, on socket: DatagramSocket) -> [STUNMessage] {
        var messages: [STUNMessage] = []
        var bytes = [UInt8](repeating: 0, count: 2048)
        let deadline = NIODeadline.now() + .seconds(10)
        while messages.count < count, NIODeadline.now() < deadline {
            var poller = pollfd(fd: socket.descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) == 1 else {
                continue
            }
            let length = recv(socket.descriptor, &bytes, bytes.count, 0)
            if length > 0, let message = try? STUNMessage.decode(ByteBuffer(bytes: bytes[..<length])) {
                messages.append(message)
            }
        }
        return messages
    }

    /// Bursts of requests from every client (interleaved, sent before any answer is read), then the answers: one
    /// per request, for its transaction, with the right method and class and the client's own address.
    private func runBursts(ip: TransportAddress.IP, turn: Bool) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let (channel, server) = try await self.startListener(ip: ip, group: group, turn: turn)
            try self.sendBursts(ip: ip, turn: turn, to: server)
            try await channel.close()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }

    private func sendBursts(ip: TransportAddress.IP, turn: Bool, to server: TransportAddress) throws {
        let clients = try (0..<Self.clients).map { _ in
            try DatagramSocket.make(
                boundTo: TransportAddress(ip: ip, port: 0),
                receiveBufferSize: 1 << 20,
                reusePort: false
            )
        }
        defer {
            for client in clients { close(client.descriptor) }
        }
        let addresses = try clients.map { try $0.boundAddress() }
        for _ in 0..<Self.bursts {
            var expected: [[STUNTransactionID: STUNMethod]] = Array(repeating: [:], count: Self.clients)
            for index in 0..<Self.requestsPerBurst {
                for (client, socket) in clients.enumerated() {
                    let method: STUNMethod = turn && index % 2 == 1 ? .allocate : .binding
                    let transactionID = STUNTransactionID.random()
                    expected[client][transactionID] = method
                    try self.send(self.request(method, transactionID), from: socket, to: server)
                }
            }
            for (client, socket) in clients.enumerated() {
                let answers = self.receive(Self.requestsPerBurst, on: socket)
                #expect(answers.count == Self.requestsPerBurst)
                for answer in answers {
                    let removed = expected[client].removeValue(forKey: answer.transactionID)
                    let method = try #require(removed)
                    #expect(answer.type.method == method)
                    #expect(answer.isFingerprintValid())
                    if method == .binding {
                        #expect(answer.type.messageClass == .successResponse)
                        #expect(try answer.attribute(XORMappedAddress.self)?.address == addresses[client])
                        #expect(try answer.attribute(MappedAddress.self)?.address == addresses[client])
                    } else {
                        #expect(answer.type.messageClass == .errorResponse)
                        #expect(answer.errorCode == 401)
                        #expect(try answer.attribute(Nonce.self) != nil)
                    }
                }
                #expect(expected[client].isEmpty)
            }
        }
    }

    @Test func everyBindingOfABurstIsAnsweredOverIPv4() async throws {
        try await self.runBursts(ip: .v4(0x7F00_0001), turn: false)
    }

    @Test(.enabled(if: DatagramListenerBurstTests.ipv6Loopback))
    func everyBindingOfABurstIsAnsweredOverIPv6() async throws {
        try await self.runBursts(ip: .v6(0, 1), turn: false)
    }

    /// TURN answers (here the 401 challenge of an Allocate without credentials) leave in the same batches.
    @Test func bindingsAndTURNRequestsOfABurstAreAllAnswered() async throws {
        try await self.runBursts(ip: .v4(0x7F00_0001), turn: true)
    }
}
