import CGlibcExtras
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Transaction IDs for the indications the relay sends (Data indications, RFC 8656 §11.4), cut from a pool of
/// random bytes that one `getrandom(2)` call refills for ``idsPerRefill`` IDs. ``STUNTransactionID/random()``
/// makes two system calls per ID, which on a Data indication path cost more than the rest of the relay's user-space
/// work per datagram. The bytes are the same kernel CSPRNG's output, as RFC 8489 §6 asks of transaction IDs.
///
/// One pool per event loop (its ``AllocationTable``), never shared between threads.
final class TransactionIDPool {
    /// IDs per refill: 4,092 bytes, one page's worth.
    static let idsPerRefill = 341
    private static let idSize = 12

    private let bytes: UnsafeMutableRawBufferPointer
    /// Offset of the next unused ID in `bytes`; `bytes.count` when the pool is used up.
    private var nextOffset: Int

    init() {
        self.bytes = .allocate(byteCount: Self.idsPerRefill * Self.idSize, alignment: 8)
        self.nextOffset = self.bytes.count
    }

    deinit {
        self.bytes.deallocate()
    }

    /// An ID no one has seen: the pool's next 12 bytes, refilled when it is used up.
    func next() -> STUNTransactionID {
        if self.nextOffset == self.bytes.count {
            self.refill()
        }
        let high = UInt32(bigEndian: self.bytes.loadUnaligned(fromByteOffset: self.nextOffset, as: UInt32.self))
        let low = UInt64(bigEndian: self.bytes.loadUnaligned(fromByteOffset: self.nextOffset + 4, as: UInt64.self))
        self.nextOffset += Self.idSize
        return STUNTransactionID(high: high, low: low)
    }

    private func refill() {
        var filled = 0
        while filled < self.bytes.count {
            let count = switchboard_getrandom(self.bytes.baseAddress! + filled, UInt(self.bytes.count - filled))
            if count > 0 {
                filled += count
            } else if count < 0 && errno == EINTR {
                continue
            } else {
                // No getrandom(2) (a kernel before 3.17): the standard library's generator, 8 bytes at a time.
                var generator = SystemRandomNumberGenerator()
                while filled < self.bytes.count {
                    let word = generator.next()
                    let length = min(8, self.bytes.count - filled)
                    withUnsafeBytes(of: word) { word in
                        (self.bytes.baseAddress! + filled).copyMemory(from: word.baseAddress!, byteCount: length)
                    }
                    filled += length
                }
            }
        }
        self.nextOffset = 0
    }
}

@available(*, unavailable)
extension TransactionIDPool: Sendable {}
