import NIOCore
import NIOPosix

/// A WebSocket handshake over a raw TCP connection, for the cases where the server closes right after the 101: the
/// bytes are read as they come, with no client library that could miss a frame sent together with the response.
enum RawWebSocket {
    /// What the server sent: the HTTP status line, the whole response head, and the opcodes of the frames that
    /// followed it.
    struct Exchange: Sendable {
        var statusLine: String
        var head: String = ""
        var frameOpcodes: [UInt8]
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let bytes: Mailbox<[UInt8]>

        init(bytes: Mailbox<[UInt8]>) {
            self.bytes = bytes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let buffer = self.unwrapInboundIn(data)
            self.bytes.put(Array(buffer.readableBytesView))
        }

        func channelInactive(context: ChannelHandlerContext) {
            self.bytes.finish()
        }
    }

    /// Sends an upgrade request (with `extraHeaders`, each line ending in CRLF) and reads until the server sends a
    /// close frame or closes the connection, or only up to the response head when `headOnly` is set.
    static func exchange(
        port: Int,
        path: String,
        extraHeaders: String = "",
        headOnly: Bool = false
    ) async throws
        -> Exchange
    {
        let bytes = Mailbox<[UInt8]>()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Collector(bytes: bytes))
                }
            }
            .connect(host: "127.0.0.1", port: port)
            .get()
        defer {
            channel.close(promise: nil)
        }
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\(extraHeaders)\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        var received: [UInt8] = []
        var exchange = Exchange(statusLine: "", frameOpcodes: [])
        while let chunk = try await bytes.next(what: "bytes from the server") {
            received += chunk
            guard let headerEnd = BlockingSocket.headEnd(received) else {
                continue
            }
            let head = String(decoding: received[..<headerEnd], as: UTF8.self)
            exchange.statusLine = String(head.prefix { $0 != "\r" })
            exchange.head = head
            exchange.frameOpcodes = BlockingSocket.serverFrames(Array(received[(headerEnd + 4)...])).frames.map(
                \.opcode
            )
            if headOnly || exchange.frameOpcodes.contains(0x8) || !exchange.statusLine.contains("101") {
                return exchange
            }
        }
        return exchange
    }

    /// Upgrades, then sends `count` masked text frames of `text` and never reads (the channel does not read at all),
    /// so whatever the server answers piles up in its socket. Returns the channel; close it when done.
    static func floodWithoutReading(port: Int, path: String, text: String, count: Int) async throws -> any Channel {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.autoRead, value: false)
            .connect(host: "127.0.0.1", port: port)
            .get()
        let request =
            "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        try await channel.writeAndFlush(ByteBuffer(string: request)).get()
        let payload = Array(text.utf8)
        precondition(payload.count < 65536)
        let mask: [UInt8] = [1, 2, 3, 4]
        var frame: [UInt8] = [0x81]
        if payload.count < 126 {
            frame.append(0x80 | UInt8(payload.count))
        } else {
            frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        for _ in 0..<count {
            channel.write(ByteBuffer(bytes: frame), promise: nil)
        }
        // Not awaited: a server that stops reading from a client that does not read never takes all of it.
        channel.flush()
        return channel
    }
}
