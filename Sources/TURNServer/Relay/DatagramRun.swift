import NIOCore
import STUNCodec

/// Datagrams queued for one destination that can leave as one UDP generic-segmentation message (`UDP_SEGMENT`,
/// udp(7)): all of one size except perhaps a shorter last one, at most ``maximumSegments`` of them and at most
/// ``maximumBytes`` in all. Each datagram is an optional 4-byte ChannelData header and a payload buffer, kept as
/// received (no copy), with the number of relayed bytes it carries (for the byte counters: the payload's size,
/// or the DATA inside a Data indication).
struct DatagramRun {
    /// `UDP_MAX_SEGMENTS` of Linux 4.18 to 6.x.
    static let maximumSegments = 64
    /// Below the largest UDP payload of IPv4 (65,507 bytes), so that a run fits one IP packet before segmentation.
    static let maximumBytes = 65_000

    private(set) var destination: TransportAddress?
    private(set) var headers: [UInt32?] = []
    private(set) var payloads: [ByteBuffer] = []
    private(set) var relayedBytes: [Int] = []
    /// The size of the first datagram: every one of the run but the last has it.
    private(set) var segmentSize = 0
    /// The relayed bytes of the run.
    private(set) var totalRelayedBytes = 0
    private var totalBytes = 0
    /// Whether a shorter datagram ended the run.
    private var isComplete = false

    var count: Int { self.payloads.count }
    var indices: Range<Int> { 0..<self.count }

    /// Whether a datagram of `size` bytes for `destination` can join the run (any datagram can start an empty one).
    func canAppend(size: Int, destination: TransportAddress) -> Bool {
        guard let current = self.destination else {
            return true
        }
        return current == destination && !self.isComplete && self.count < Self.maximumSegments
            && size > 0 && size <= self.segmentSize && self.totalBytes + size <= Self.maximumBytes
    }

    /// Adds a datagram; the caller has checked ``canAppend(size:destination:)``.
    mutating func append(header: UInt32?, payload: ByteBuffer, relayedBytes: Int, destination: TransportAddress) {
        let size = (header == nil ? 0 : 4) + payload.readableBytes
        if self.destination == nil {
            self.destination = destination
            self.segmentSize = size
        } else if size < self.segmentSize {
            self.isComplete = true
        }
        self.headers.append(header)
        self.payloads.append(payload)
        self.relayedBytes.append(relayedBytes)
        self.totalRelayedBytes += relayedBytes
        self.totalBytes += size
    }

    mutating func removeAll() {
        self.destination = nil
        self.headers.removeAll(keepingCapacity: true)
        self.payloads.removeAll(keepingCapacity: true)
        self.relayedBytes.removeAll(keepingCapacity: true)
        self.segmentSize = 0
        self.totalRelayedBytes = 0
        self.totalBytes = 0
        self.isComplete = false
    }
}
