import STUNCodec
import Testing

@testable import TURNServer

@Suite struct TransactionIDPoolTests {
    /// Three refills' worth of IDs: all different (a repeat among 1,023 random 96-bit values would mean the pool
    /// handed out the same bytes twice, e.g. across a refill), and their bytes are not a constant.
    @Test func idsAreDistinctAcrossRefills() {
        let pool = TransactionIDPool()
        let ids = (0..<(3 * TransactionIDPool.idsPerRefill)).map { _ in pool.next() }
        #expect(Set(ids).count == ids.count)
        let bytes = ids.flatMap(\.bytes)
        #expect(Set(bytes).count > 200)
    }

    /// Two pools do not hand out the same sequence.
    @Test func poolsAreIndependent() {
        let first = TransactionIDPool()
        let second = TransactionIDPool()
        let ids = (0..<8).map { _ in first.next() }
        #expect(Set(ids).isDisjoint(with: (0..<8).map { _ in second.next() }))
    }
}
