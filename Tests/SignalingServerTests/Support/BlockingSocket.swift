#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loopback TCP client made of plain blocking calls, for the tests that pin what arrives together: each
/// ``receiveOnce()`` is one `recv(2)`, so it returns what the kernel held when the client asked, as a Node client's
/// `data` event does (the `ws` package hands every frame of one such chunk to its listeners at once). Run it off the
/// concurrency pool (`NIOThreadPool`); every call gives up after ``timeoutSeconds``.
final class BlockingSocket {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static let timeoutSeconds = 10
    private let descriptor: Int32

    init(port: Int) throws {
        #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else {
            throw Failure(description: "socket() failed: \(errno)")
        }
        self.descriptor = descriptor
        var timeout = timeval(tv_sec: Self.timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(descriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var noDelay: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            // The descriptor is closed by deinit.
            throw Failure(description: "connect() failed: \(errno)")
        }
    }

    deinit {
        close(self.descriptor)
    }

    /// Sends all of `bytes` (one `send(2)` unless the kernel takes less).
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes {
                #if canImport(Glibc)
                Glibc.send(self.descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                #else
                Darwin.send(self.descriptor, $0.baseAddress, $0.count, 0)
                #endif
            }
            guard sent > 0 else {
                throw Failure(description: "send() failed: \(errno)")
            }
            offset += sent
        }
    }

    func send(_ text: String) throws {
        try self.send(Array(text.utf8))
    }

    /// One `recv(2)`: what arrived so far (at least one byte). Throws when the server closed or nothing came in time.
    func receiveOnce() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes {
            recv(self.descriptor, $0.baseAddress, $0.count, 0)
        }
        guard count > 0 else {
            throw Failure(description: count == 0 ? "the server closed the connection" : "recv() failed: \(errno)")
        }
        return Array(buffer[..<count])
    }

    // MARK: - HTTP/1.1

    /// Reads one response with a `Content-Length` body: its status code and body.
    func readResponse() throws -> (status: Int, body: String) {
        var received: [UInt8] = []
        while true {
            if let headEnd = Self.headEnd(received) {
                let head = String(decoding: received[..<headEnd], as: UTF8.self)
                let lines = head.split(separator: "\r\n")
                let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
                let length =
                    lines.dropFirst().compactMap { line -> Int? in
                        let parts = line.split(separator: ":", maxSplits: 1)
                        guard parts.count == 2, parts[0].lowercased() == "content-length" else {
                            return nil
                        }
                        return Int(parts[1].filter { $0 != " " })
                    }.first ?? 0
                let bodyStart = headEnd + 4
                if received.count >= bodyStart + length {
                    return (status, String(decoding: received[bodyStart..<(bodyStart + length)], as: UTF8.self))
                }
            }
            received += try self.receiveOnce()
        }
    }

    /// The index of the CRLFCRLF that ends a response head, if it is in `bytes`.
    static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else {
            return nil
        }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }

    // MARK: - WebSocket

    /// The upgrade request for `path`.
    static func upgradeRequest(_ path: String) -> String {
        "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    }

    /// A masked text frame from the client (RFC 6455 §5.2), for payloads under 126 bytes.
    static func maskedTextFrame(_ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        precondition(payload.count < 126)
        let mask: [UInt8] = [0x37, 0xFA, 0x21, 0x3D]
        return [0x81, 0x80 | UInt8(payload.count)] + mask
            + payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
    }

    /// The complete unmasked server frames at the start of `bytes`, as (opcode, payload), and how many bytes they
    /// take.
    static func serverFrames(_ bytes: [UInt8]) -> (frames: [(opcode: UInt8, payload: [UInt8])], length: Int) {
        var frames: [(opcode: UInt8, payload: [UInt8])] = []
        var index = 0
        while index + 2 <= bytes.count {
            var length = Int(bytes[index + 1] & 0x7F)
            var headerLength = 2
            if length == 126 {
                guard index + 4 <= bytes.count else { break }
                length = Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
                headerLength = 4
            } else if length == 127 {
                break
            }
            guard index + headerLength + length <= bytes.count else {
                break
            }
            frames.append((bytes[index] & 0x0F, Array(bytes[(index + headerLength)..<(index + headerLength + length)])))
            index += headerLength + length
        }
        return (frames, index)
    }
}
