import Foundation
import HTTPTypes
import Logging
import NIOCore
import NIOWebSocket
import WSClient

/// A WebSocket client for the tests: frames in a mailbox, commands through a stream.
final class TestWebSocket: Sendable {
    enum Frame: Sendable, Hashable, CustomStringConvertible {
        case text(String)
        case binary([UInt8])

        var description: String {
            switch self {
            case .text(let text): return "text(\(text))"
            case .binary(let bytes): return "binary(\(bytes))"
            }
        }
    }

    private enum Command: Sendable {
        case text(String)
        case binary([UInt8])
        case close
    }

    private let inbox = Mailbox<Frame>()
    private let commands: AsyncStream<Command>.Continuation
    /// The close frame of the connection, once it ended.
    let closed = Mailbox<WebSocketCloseFrame?>()

    private init(commands: AsyncStream<Command>.Continuation) {
        self.commands = commands
    }

    /// Connects; throws if the upgrade is refused.
    static func connect(
        port: Int,
        path: String,
        headers: HTTPFields = [:],
        extensions: [WebSocketExtensionFactory] = []
    ) async throws -> TestWebSocket {
        let (stream, continuation) = AsyncStream.makeStream(of: Command.self)
        let socket = TestWebSocket(commands: continuation)
        let opened = Mailbox<Result<Void, any Error>>()
        let inbox = socket.inbox
        let closed = socket.closed
        Task {
            do {
                let closeFrame = try await WebSocketClient.connect(
                    url: "ws://127.0.0.1:\(port)\(path)",
                    configuration: WebSocketClientConfiguration(
                        maxFrameSize: 1 << 24,
                        additionalHeaders: headers,
                        extensions: extensions,
                        closeTimeout: .seconds(5)
                    ),
                    logger: {
                        var logger = Logger(label: "TestWebSocket")
                        logger.logLevel =
                            ProcessInfo.processInfo.environment["SIGNALING_TEST_LOG"].flatMap {
                                Logger.Level(rawValue: $0)
                            } ?? .warning
                        return logger
                    }()
                ) { inbound, outbound, _ in
                    opened.put(.success(()))
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            defer {
                                // The server closed (or answered our close): no more frames, and no more commands.
                                inbox.finish()
                                continuation.finish()
                            }
                            for try await message in inbound.messages(maxSize: 1 << 24) {
                                switch message {
                                case .text(let text):
                                    inbox.put(.text(text))
                                case .binary(let buffer):
                                    inbox.put(.binary(Array(buffer.readableBytesView)))
                                }
                            }
                        }
                        group.addTask {
                            for await command in stream {
                                switch command {
                                case .text(let text):
                                    try await outbound.write(.text(text))
                                case .binary(let bytes):
                                    try await outbound.write(.binary(ByteBuffer(bytes: bytes)))
                                case .close:
                                    // The closing handshake: the server's answering close frame ends the reader.
                                    try await outbound.close(.normalClosure, reason: nil)
                                    return
                                }
                            }
                        }
                        // The reader ends when the server closes (or answers our close); the writer ends on close()
                        // and then the reader follows. Nothing is cancelled, so no frame is lost.
                        try await group.next()
                        try await group.next()
                    }
                }
                inbox.finish()
                closed.put(closeFrame)
            } catch {
                opened.put(.failure(error))
                inbox.finish()
                closed.put(nil)
            }
        }
        guard let result = try await opened.next(what: "the WebSocket to open") else {
            throw TestTimeout(what: "the WebSocket to open")
        }
        try result.get()
        return socket
    }

    /// The next frame, or `nil` when the connection closed.
    func receive(timeout: Duration = .seconds(10)) async throws -> Frame? {
        try await self.inbox.next(timeout: timeout, what: "a WebSocket frame")
    }

    /// The next text frame that is not a heartbeat ping `2` (for tests that do not care about heartbeats); pings
    /// are answered.
    func receiveSkippingPings(timeout: Duration = .seconds(10)) async throws -> Frame? {
        for _ in 0..<100 {
            let frame = try await self.receive(timeout: timeout)
            if frame != .text("2") {
                return frame
            }
            self.send("3")
        }
        throw TestTimeout(what: "a frame other than a ping")
    }

    /// Waits until the server closes the connection; frames before the close are returned. Bounded by `timeout` in
    /// total, so that a connection that keeps sending (pings) cannot hold a test forever.
    @discardableResult
    func waitForClose(timeout: Duration = .seconds(20)) async throws -> [Frame] {
        let deadline = ContinuousClock.now + timeout
        var frames: [Frame] = []
        while ContinuousClock.now < deadline {
            guard let frame = try await self.receive(timeout: deadline - ContinuousClock.now) else {
                return frames
            }
            frames.append(frame)
        }
        throw TestTimeout(what: "the connection to close (got \(frames))")
    }

    func send(_ text: String) {
        self.commands.yield(.text(text))
    }

    func send(bytes: [UInt8]) {
        self.commands.yield(.binary(bytes))
    }

    /// Closes the connection from the client side.
    func close() {
        self.commands.yield(.close)
    }
}
