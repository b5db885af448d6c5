import Glibc
import LoadGeneratorSupport

/// Drives the allocations of one thread: keeps each one's window of ChannelData in flight until the end of the load
/// period, then waits for the stragglers during the drain period.
///
/// Each pass sends one batch per allocation with room (`sendmmsg`), then polls every socket at once and drains the
/// readable ones (`recvmmsg`). The poll blocks (1 ms at most) only when every window is full.
struct FloodWorker: ~Copyable {
    private static let receiveBufferSize = 2048
    private static let expiryInterval: UInt64 = 10_000_000

    private let allocations: [TURNAllocation]
    private let flows: [ChannelFlow]
    private let settings: FloodSettings
    private let receiveBatch: DatagramBatch
    private var descriptors: [pollfd]
    /// Allocations whose last `sendmmsg` was refused for want of buffer space: they also wait for POLLOUT.
    private var blocked: [Bool]
    private var result = FloodResult()

    init(allocations: [TURNAllocation], flows: [ChannelFlow], settings: FloodSettings) {
        self.allocations = allocations
        self.flows = flows
        self.settings = settings
        self.receiveBatch = DatagramBatch(capacity: settings.batch, bufferSize: Self.receiveBufferSize)
        self.descriptors = allocations.map { pollfd(fd: $0.socket.fd, events: Int16(POLLIN), revents: 0) }
        self.blocked = Array(repeating: false, count: allocations.count)
    }

    /// Runs the load period until `loadEnd` (monotonic nanoseconds), then the drain period.
    consuming func run(until loadEnd: UInt64) throws(SetupFailure) -> FloodResult {
        let timeout = UInt64(self.settings.timeoutMilliseconds) * 1_000_000
        var nextExpiry = MonotonicClock.now() + Self.expiryInterval
        while true {
            let now = MonotonicClock.now()
            guard now < loadEnd else {
                break
            }
            if now >= nextExpiry {
                self.expire(sentBefore: now &- timeout)
                nextExpiry = now + Self.expiryInterval
            }
            var roomLeft = false
            for index in self.flows.indices {
                if try self.send(index, at: now) {
                    roomLeft = true
                }
            }
            try self.pollAndReceive(milliseconds: roomLeft ? 0 : 1, loadEnd: loadEnd)
        }

        let drainEnd = MonotonicClock.now() + UInt64(self.settings.drainMilliseconds) * 1_000_000
        for index in self.blocked.indices {
            self.blocked[index] = false
        }
        while self.flows.contains(where: { $0.inFlight > 0 }) && MonotonicClock.now() < drainEnd {
            try self.pollAndReceive(milliseconds: 1, loadEnd: loadEnd)
        }
        self.result.unansweredAtEnd = UInt64(self.flows.reduce(0) { $0 + $1.inFlight })
        return self.result
    }

    /// Sends one batch on allocation `index` if its window has room; returns whether room is left afterwards.
    private mutating func send(_ index: Int, at now: UInt64) throws(SetupFailure) -> Bool {
        let flow = self.flows[index]
        let count = flow.room()
        guard count > 0 else {
            return false
        }
        flow.stamp(count)
        let sent: Int
        do throws(UDPSocket.Failure) {
            sent = try self.allocations[index].socket.send(flow.sendBatch, count: count)
        } catch {
            // ICMP port unreachable from an earlier datagram: the server is gone. Keep counting.
            guard error.code == ECONNREFUSED else {
                throw SetupFailure(error)
            }
            self.result.refused += 1
            return false
        }
        flow.commit(sent, at: now)
        self.result.sent += UInt64(sent)
        self.blocked[index] = sent < count
        return sent == count && flow.room() > 0
    }

    /// Polls every socket for up to `milliseconds`, then drains the readable ones.
    private mutating func pollAndReceive(milliseconds: Int32, loadEnd: UInt64) throws(SetupFailure) {
        for index in self.descriptors.indices {
            self.descriptors[index].events = Int16(POLLIN) | (self.blocked[index] ? Int16(POLLOUT) : 0)
            self.descriptors[index].revents = 0
        }
        let ready = poll(&self.descriptors, nfds_t(self.descriptors.count), milliseconds)
        guard ready > 0 else {
            return
        }
        for index in self.descriptors.indices where self.descriptors[index].revents & Int16(POLLIN | POLLERR) != 0 {
            try self.receive(index, loadEnd: loadEnd)
        }
    }

    /// Reads allocation `index`'s socket until it is empty (or a batch comes back short).
    private mutating func receive(_ index: Int, loadEnd: UInt64) throws(SetupFailure) {
        let flow = self.flows[index]
        while true {
            let count: Int
            do throws(UDPSocket.Failure) {
                count = try self.allocations[index].socket.receive(into: self.receiveBatch)
            } catch {
                guard error.code == ECONNREFUSED else {
                    throw SetupFailure(error)
                }
                self.result.refused += 1
                return
            }
            guard count > 0 else {
                return
            }
            let now = MonotonicClock.now()
            for packet in 0..<count {
                flow.receive(self.receiveBatch.received(packet), at: now, measured: now < loadEnd, into: &self.result)
            }
            if count < self.receiveBatch.capacity {
                return
            }
        }
    }

    /// Gives up on every message sent before `deadline`.
    private mutating func expire(sentBefore deadline: UInt64) {
        for flow in self.flows {
            self.result.timedOut += UInt64(flow.expire(sentBefore: deadline))
        }
    }
}
