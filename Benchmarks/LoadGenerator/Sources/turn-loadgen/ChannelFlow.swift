import LoadGeneratorSupport

/// The ChannelData stream of one allocation: numbered messages, their send times, and the window.
///
/// A message is a ChannelData header (RFC 8656 §12.4) and a payload that starts with its sequence number and ends
/// with the same number inverted, so that a truncated or mixed-up echo is caught. Send times live in a ring
/// indexed by sequence number (0: not in flight); the ring is several windows long, so a message stuck until its
/// timeout does not stop the others.
final class ChannelFlow {
    /// Outgoing messages, their headers written once.
    let sendBatch: DatagramBatch
    /// Messages in flight.
    private(set) var inFlight = 0
    private let channelNumber: UInt16
    private let payload: Int
    private let window: Int
    private let ring: UnsafeMutablePointer<UInt64>
    private let ringMask: UInt64
    /// Next sequence number to send.
    private var next: UInt64 = 0
    /// No message before this one is in flight.
    private var oldest: UInt64 = 0

    init(channelNumber: UInt16, payload: Int, window: Int, batch: Int) {
        self.channelNumber = channelNumber
        self.payload = payload
        self.window = window
        self.sendBatch = DatagramBatch(capacity: min(batch, window), bufferSize: 4 + payload)
        var ringSize = 256
        while ringSize < window * 8 {
            ringSize *= 2
        }
        self.ring = .allocate(capacity: ringSize)
        self.ring.initialize(repeating: 0, count: ringSize)
        self.ringMask = UInt64(ringSize - 1)
        for index in 0..<self.sendBatch.capacity {
            let buffer = self.sendBatch.buffer(index)
            buffer.storeBytes(of: channelNumber.bigEndian, toByteOffset: 0, as: UInt16.self)
            buffer.storeBytes(of: UInt16(payload).bigEndian, toByteOffset: 2, as: UInt16.self)
        }
    }

    deinit {
        self.ring.deallocate()
    }

    /// How many messages may be sent now: room in the window and in the ring, at most one batch.
    func room() -> Int {
        self.skipAnswered()
        let ringRoom = Int(self.ringMask + 1 - (self.next - self.oldest))
        return min(self.window - self.inFlight, self.sendBatch.capacity, ringRoom)
    }

    /// Numbers the first `count` messages of the batch from the next sequence number on.
    func stamp(_ count: Int) {
        for index in 0..<count {
            let sequence = self.next + UInt64(index)
            let buffer = self.sendBatch.buffer(index)
            buffer.storeBytes(of: sequence, toByteOffset: 4, as: UInt64.self)
            buffer.storeBytes(of: ~sequence, toByteOffset: 4 + self.payload - 8, as: UInt64.self)
        }
    }

    /// Records that the first `count` stamped messages left at `now`.
    func commit(_ count: Int, at now: UInt64) {
        for _ in 0..<count {
            self.ring[Int(self.next & self.ringMask)] = now
            self.next += 1
        }
        self.inFlight += count
    }

    /// Checks one received datagram and counts it in `result`; `measured` says whether the load period is on.
    func receive(_ packet: UnsafeRawBufferPointer, at now: UInt64, measured: Bool, into result: inout FloodResult) {
        result.received += 1
        // Over UDP the server may pad ChannelData to a multiple of 4 (RFC 8656 §12.5).
        guard packet.count >= 4 + self.payload, packet.count <= 4 + ((self.payload + 3) & ~3),
            UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 0, as: UInt16.self)) == self.channelNumber,
            Int(UInt16(bigEndian: packet.loadUnaligned(fromByteOffset: 2, as: UInt16.self))) == self.payload
        else {
            result.invalid += 1
            return
        }
        let sequence = packet.loadUnaligned(fromByteOffset: 4, as: UInt64.self)
        guard sequence < self.next,
            packet.loadUnaligned(fromByteOffset: 4 + self.payload - 8, as: UInt64.self) == ~sequence
        else {
            result.invalid += 1
            return
        }
        let slot = Int(sequence & self.ringMask)
        guard sequence >= self.oldest, self.ring[slot] != 0 else {
            result.late += 1
            return
        }
        let sentAt = self.ring[slot]
        self.ring[slot] = 0
        self.inFlight -= 1
        result.valid += 1
        if measured {
            result.validDuringLoad += 1
        }
        result.latency.record((now &- sentAt) / 1000)
    }

    /// Gives up on every message sent before `deadline`; returns how many.
    func expire(sentBefore deadline: UInt64) -> Int {
        var expired = 0
        while self.oldest < self.next {
            let slot = Int(self.oldest & self.ringMask)
            let sentAt = self.ring[slot]
            if sentAt != 0 {
                guard sentAt < deadline else {
                    break
                }
                self.ring[slot] = 0
                self.inFlight -= 1
                expired += 1
            }
            self.oldest += 1
        }
        return expired
    }

    /// Moves `oldest` past answered messages, freeing ring space.
    private func skipAnswered() {
        while self.oldest < self.next && self.ring[Int(self.oldest & self.ringMask)] == 0 {
            self.oldest += 1
        }
    }
}
