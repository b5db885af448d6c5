import Glibc
import LoadGeneratorSupport

/// What one socket saw.
struct WorkerResult: Sendable {
    /// Requests sent.
    var sent: UInt64 = 0
    /// Datagrams received, valid or not.
    var received: UInt64 = 0
    /// Valid responses to requests in flight.
    var valid: UInt64 = 0
    /// Valid responses received before the end of the load period (the rate counts these).
    var validDuringLoad: UInt64 = 0
    /// Requests given up after the timeout.
    var timedOut: UInt64 = 0
    /// Requests still unanswered after the drain period.
    var unansweredAtEnd: UInt64 = 0
    /// `ECONNREFUSED` reports (ICMP port unreachable: nothing listening).
    var refused: UInt64 = 0
    /// Round-trip times of valid responses.
    var latency = LatencyHistogram()

    /// Adds the counts and samples of `other`.
    mutating func merge(_ other: WorkerResult) {
        self.sent += other.sent
        self.received += other.received
        self.valid += other.valid
        self.validDuringLoad += other.validDuringLoad
        self.timedOut += other.timedOut
        self.unansweredAtEnd += other.unansweredAtEnd
        self.refused += other.refused
        self.latency.merge(other.latency)
    }
}

/// Drives one socket: keeps up to `window` Binding requests in flight until the end of the load period, then
/// waits for the stragglers during the drain period.
struct LoadWorker: ~Copyable {
    private static let receiveBufferSize = 2048
    private static let expiryInterval: UInt64 = 10_000_000

    private let socket: UDPSocket
    private let localAddress: MappedAddress
    private let options: Options
    private let encoder: BindingRequestEncoder
    private let sendBatch: DatagramBatch
    private let receiveBatch: DatagramBatch
    private var pendingIDs: [TransactionID]
    private var outstanding: OutstandingRequests
    private var generator = SplitMix64()
    private var result = WorkerResult()

    init(options: Options) throws(UDPSocket.Failure) {
        let socket = try UDPSocket(connectingTo: options.server)
        guard let localAddress = MappedAddress(localAddressOf: socket.fd) else {
            throw UDPSocket.Failure(call: "getsockname", code: errno)
        }
        self.socket = socket
        self.localAddress = localAddress
        self.options = options
        self.encoder = BindingRequestEncoder(fingerprint: options.fingerprint)
        self.sendBatch = DatagramBatch(capacity: options.batch, bufferSize: self.encoder.size)
        self.receiveBatch = DatagramBatch(capacity: options.batch, bufferSize: Self.receiveBufferSize)
        self.pendingIDs = Array(repeating: TransactionID(high: 0, low: 0), count: options.batch)
        self.outstanding = OutstandingRequests(capacity: options.window)
    }

    /// Runs the load period until `loadEnd` (monotonic nanoseconds), then the drain period.
    consuming func run(until loadEnd: UInt64) throws(UDPSocket.Failure) -> WorkerResult {
        let timeout = UInt64(self.options.timeoutMilliseconds) * 1_000_000
        var nextExpiry = MonotonicClock.now() + Self.expiryInterval
        while true {
            let now = MonotonicClock.now()
            guard now < loadEnd else {
                break
            }
            if now >= nextExpiry {
                self.result.timedOut += UInt64(self.outstanding.expire(sentBefore: now &- timeout))
                nextExpiry = now + Self.expiryInterval
            }
            let room = self.options.window - self.outstanding.count
            var sent = 0
            if room > 0 {
                sent = try self.sendRequests(min(room, self.options.batch), at: now)
            }
            let received = try self.receiveResponses(loadEnd: loadEnd)
            if sent == 0 && received == 0 {
                self.socket.wait(writable: room > 0, milliseconds: 1)
            }
        }

        let drainEnd = MonotonicClock.now() + UInt64(self.options.drainMilliseconds) * 1_000_000
        while self.outstanding.count > 0 && MonotonicClock.now() < drainEnd {
            if try self.receiveResponses(loadEnd: loadEnd) == 0 {
                self.socket.wait(writable: false, milliseconds: 1)
            }
        }
        self.result.unansweredAtEnd = UInt64(self.outstanding.count)
        return self.result
    }

    /// Sends `count` fresh requests in one call; returns how many went out.
    private mutating func sendRequests(_ count: Int, at now: UInt64) throws(UDPSocket.Failure) -> Int {
        for index in 0..<count {
            let id = TransactionID(using: &self.generator)
            self.pendingIDs[index] = id
            self.encoder.encode(id: id, into: self.sendBatch.buffer(index))
        }
        let sent: Int
        do throws(UDPSocket.Failure) {
            sent = try self.socket.send(self.sendBatch, count: count)
        } catch {
            // ICMP port unreachable from an earlier datagram: the server is not (yet) listening. Keep going.
            guard error.code == ECONNREFUSED else {
                throw error
            }
            self.result.refused += 1
            return 0
        }
        for index in 0..<sent {
            self.outstanding.insert(self.pendingIDs[index], sentAt: now)
        }
        self.result.sent += UInt64(sent)
        return sent
    }

    /// Receives and checks one batch of responses; returns how many datagrams arrived.
    private mutating func receiveResponses(loadEnd: UInt64) throws(UDPSocket.Failure) -> Int {
        let count: Int
        do throws(UDPSocket.Failure) {
            count = try self.socket.receive(into: self.receiveBatch)
        } catch {
            // ICMP port unreachable from an earlier datagram: the server is not (yet) listening. Keep going.
            guard error.code == ECONNREFUSED else {
                throw error
            }
            self.result.refused += 1
            return 0
        }
        guard count > 0 else {
            return 0
        }
        let now = MonotonicClock.now()
        self.result.received += UInt64(count)
        for index in 0..<count {
            let packet = self.receiveBatch.received(index)
            guard let id = BindingResponseValidator.transactionID(of: packet),
                let sentAt = self.outstanding.remove(id),
                BindingResponseValidator.isValid(packet, expected: self.localAddress)
            else {
                continue
            }
            self.result.valid += 1
            if now < loadEnd {
                self.result.validDuringLoad += 1
            }
            self.result.latency.record((now &- sentAt) / 1000)
        }
        return count
    }
}
