import Benchmark
import NIOCore
import STUNCodec
import SocketIOCodec
import TURNServer

#if canImport(Glibc)
import Glibc
#endif

// Allocation counts of the server's hot paths, one unit of work per iteration (scaling factor one), so that
// mallocCountTotal is the count per unit. Thresholds/ holds the p90 mallocCountTotal of each benchmark, the only
// metric `scripts/bench-hotpaths` checks: wall clock and throughput are printed for information, never checked (a
// shared 2-core machine times nothing reliably). docs/benchmarks.md#bench-hotpaths tells how to update them.

/// Every benchmark here: mallocCountTotal, wall clock and throughput; 100 warm-up iterations, then up to 2 s or
/// `maxIterations`. The p90 mallocCountTotal is compared with Thresholds/ with no tolerance: more fails the check,
/// fewer asks for the thresholds to be lowered.
private func configuration(maxIterations: Int = 100_000) -> Benchmark.Configuration {
    Benchmark.Configuration(
        metrics: [.mallocCountTotal, .wallClock, .throughput],
        warmupIterations: 100,
        scalingFactor: .one,
        maxDuration: .seconds(2),
        maxIterations: maxIterations,
        thresholds: [.mallocCountTotal: BenchmarkThresholds(absolute: [.p90: 0])]
    )
}

/// Bytes from hex digits; whitespace ignored.
private func hexBytes(_ hex: String) -> [UInt8] {
    let digits = Array(hex.utf8.filter { $0 != 0x20 && $0 != 0x0A })
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)!
    }
}

/// RFC 5769 §2.1 Sample Request: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME,
/// MESSAGE-INTEGRITY and FINGERPRINT (short-term credentials), as in Tests/TestSupport/STUNVectors.swift.
private let sampleRequest = hexBytes(
    """
    00010058 2112a442 b7e7a701bc34d686fa87dfae
    80220010 5354554e2074657374 20636c69656e74
    00240004 6e0001ff
    80290008 932ff9b151263b36
    00060009 6576746a3a68367659 202020
    00080014 9aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a2
    80280004 e57a3bcf
    """
)
/// The short-term password of RFC 5769 §2.1.
private let sampleRequestPassword = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)

/// A TURN Allocate request as a browser sends it after its first 401: REQUESTED-TRANSPORT UDP, USERNAME, REALM,
/// NONCE, MESSAGE-INTEGRITY (long-term key) and FINGERPRINT.
private func allocateRequest(key: [UInt8]) -> ByteBuffer {
    var writer = STUNMessageWriter(
        type: STUNMessageType(method: .allocate, messageClass: .request),
        transactionID: STUNTransactionID(hexBytes("78ad3433c6ad72c029da412e")),
        buffer: ByteBufferAllocator().buffer(capacity: 256)
    )
    writer.append(RequestedTransport.udp)
    writer.append(Username("1767225600:alice"))
    writer.append(Realm("switchboard.example"))
    writer.append(Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA"))
    writer.appendMessageIntegrity(key: key)
    writer.appendFingerprint()
    return writer.finish()
}

/// The address a `DatagramSocket` is bound to.
private func boundAddress(_ socket: DatagramSocket) -> TransportAddress {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &storage) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.descriptor, $0, &length) }
    }
    precondition(result == 0, "getsockname failed")
    return withUnsafeBytes(of: storage) {
        TransportAddress(sockaddr: UnsafeRawBufferPointer(rebasing: $0[..<Int(length)]))!
    }
}

/// Reads and drops whatever is waiting on `socket` (outside the measurement, so that its receive buffer never fills).
private func drain(_ socket: DatagramSocket, into scratch: UnsafeMutableRawBufferPointer) {
    while recv(socket.descriptor, scratch.baseAddress, scratch.count, CInt(MSG_DONTWAIT)) >= 0 {}
}

/// One read batch of the relay on loopback: `datagrams` ChannelData messages with 120-byte payloads for one UDP
/// client, queued on the listener socket and sent in one segmented `sendmsg`, as the relay does for a peer's media.
private final class RelayBatch: @unchecked Sendable {
    static let datagrams = 32
    let sender: DatagramSocket
    let receiver: DatagramSocket
    let destination: TransportAddress
    /// ChannelData messages as a client sends them (channel 0x4000, 120 bytes of payload each).
    let fromClient: [ByteBuffer]
    /// The same payloads as a peer sends them.
    let fromPeer: [ByteBuffer]
    let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 65_536, alignment: 8)

    init() throws {
        let loopback = TransportAddress(ip: .v4(0x7F00_0001), port: 0)
        self.sender = try DatagramSocket.make(boundTo: loopback, receiveBufferSize: 1 << 20, reusePort: false)
        self.receiver = try DatagramSocket.make(boundTo: loopback, receiveBufferSize: 1 << 20, reusePort: false)
        self.destination = boundAddress(self.receiver)
        var payloads: [ByteBuffer] = []
        var messages: [ByteBuffer] = []
        for index in 0..<Self.datagrams {
            let payload = ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: 120)
            var message = ByteBuffer()
            ChannelData(channelNumber: 0x4000, payload: payload).encode(into: &message, padToFourBytes: false)
            payloads.append(payload)
            messages.append(message)
        }
        self.fromPeer = payloads
        self.fromClient = messages
    }

    deinit {
        self.scratch.deallocate()
    }

    func drainReceiver() {
        drain(self.receiver, into: self.scratch)
    }
}

let benchmarks: @Sendable () -> Void = {
    // MARK: ChannelData relay

    let relay: RelayBatch
    do {
        relay = try RelayBatch()
    } catch {
        fatalError("cannot open the loopback sockets of the relay benchmarks: \(error)")
    }

    // Peer to client: 32 payloads of 120 bytes, each queued behind its 4-byte ChannelData header (own iovec), then
    // one flush (one segmented sendmsg to the receiver on loopback).
    Benchmark("RelayEnqueue-ToClient-32", configuration: configuration()) { benchmark in
        relay.drainReceiver()
        benchmark.startMeasurement()
        var result = DatagramSocket.FlushResult()
        for payload in relay.fromPeer {
            let header = UInt32(0x4000) << 16 | UInt32(payload.readableBytes)
            relay.sender.enqueue(header: header, payload: payload, to: relay.destination, into: &result)
        }
        relay.sender.flush(into: &result)
        precondition(result.sent == RelayBatch.datagrams, "the loopback receiver did not get every datagram")
        blackHole(result)
    }

    // Client to peer: 32 ChannelData messages decoded and each payload slice queued for the peer, then one flush.
    Benchmark("RelayEnqueue-FromClient-32", configuration: configuration()) { benchmark in
        relay.drainReceiver()
        benchmark.startMeasurement()
        var result = DatagramSocket.FlushResult()
        for message in relay.fromClient {
            let channelData = try ChannelData.decode(message)
            relay.sender.enqueue(payload: channelData.payload, to: relay.destination, into: &result)
        }
        relay.sender.flush(into: &result)
        precondition(result.sent == RelayBatch.datagrams, "the loopback receiver did not get every datagram")
        blackHole(result)
    }

    // MARK: STUN

    // Decoding only: the header, the attribute list (slices of the datagram) and the checks of the framing.
    let binding = ByteBuffer(bytes: sampleRequest)
    Benchmark("STUNDecode-Binding", configuration: configuration()) { _ in
        blackHole(try STUNMessage.decode(binding))
    }

    // What the listener does with an ICE connectivity check: decode, FINGERPRINT (CRC-32), MESSAGE-INTEGRITY
    // (HMAC-SHA1 with the short-term password).
    Benchmark("STUNDecode-BindingChecked", configuration: configuration()) { _ in
        let message = try STUNMessage.decode(binding)
        precondition(message.isFingerprintValid() && message.isMessageIntegrityValid(key: sampleRequestPassword))
        blackHole(message)
    }

    let longTermKey = LongTermCredentials.key(username: "1767225600:alice", realm: "switchboard.example", password: "x")
    let allocate = allocateRequest(key: longTermKey)
    // An authenticated Allocate: decode, the four attributes the server reads, FINGERPRINT and MESSAGE-INTEGRITY
    // (the long-term key is an input here, as for a static user, whose key the server computes once at start).
    Benchmark("STUNDecode-AllocateChecked", configuration: configuration()) { _ in
        let message = try STUNMessage.decode(allocate)
        blackHole(try message.attribute(RequestedTransport.self))
        blackHole(try message.attribute(Username.self))
        blackHole(try message.attribute(Realm.self))
        blackHole(try message.attribute(Nonce.self))
        precondition(message.isFingerprintValid() && message.isMessageIntegrityValid(key: longTermKey))
        blackHole(message)
    }

    // MARK: Engine.IO

    // A long-polling POST body of Engine.IO v4: a Socket.IO connect, three events (an SDP-sized offer among them),
    // a pong and a binary attachment.
    let sdp = String(repeating: "a=candidate:1 1 udp 2122260223 192.0.2.1 54400 typ host\\r\\n", count: 12)
    let records = [
        "40",
        #"42["join",{"room":"standup"}]"#,
        #"42["signal",{"to":"h6vY2LpZ","description":{"type":"offer","sdp":"\#(sdp)"}}]"#,
        #"42["signal",{"to":"h6vY2LpZ","candidate":{"candidate":"candidate:2 1 udp 1686052607","sdpMid":"0"}}]"#,
        "3",
        "bAQIDBAUGBwgJCgsMDQ4PEA==",
    ]
    let body = ByteBuffer(string: records.joined(separator: "\u{1E}"))
    Benchmark("EngineIODecode-V4Payload", configuration: configuration()) { _ in
        blackHole(try EngineIOPayload(decoding: body, version: .v4, framing: .text))
    }
}
