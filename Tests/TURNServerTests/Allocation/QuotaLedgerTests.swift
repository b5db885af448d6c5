import STUNCodec
import Testing

@testable import TURNServer

@Suite struct QuotaLedgerTests {
    static let alice = QuotaLedger.Holder(username: "alice", clientIP: .v4(0x0A00_0001))
    static let bob = QuotaLedger.Holder(username: "bob", clientIP: .v4(0x0A00_0002))
    static let carol = QuotaLedger.Holder(username: "carol", clientIP: .v4(0x0A00_0003))

    @Test func perUserAndInTotal() {
        var ledger = QuotaLedger(perUser: 2, total: 3)
        #expect(ledger.acquire(Self.alice) == nil)
        #expect(ledger.acquire(Self.alice) == nil)
        #expect(ledger.acquire(Self.alice) == .user)
        #expect(ledger.acquire(Self.bob) == nil)
        #expect(ledger.acquire(Self.carol) == .total)
        ledger.release(Self.alice)
        #expect(ledger.acquire(Self.carol) == nil)
        ledger.release(QuotaLedger.Holder(username: "nobody", clientIP: .v4(1)))
        #expect(ledger.count == 3)
        var unlimited = QuotaLedger(perUser: 0, total: 0)
        for _ in 0..<1000 {
            #expect(unlimited.acquire(Self.alice) == nil)
        }
    }

    @Test func oneClientAddressIsBoundedWhateverTheUsernames() {
        var ledger = QuotaLedger(perUser: 0, perClientAddress: 3, total: 0)
        let client = TransportAddress.IP.v4(0xC633_6401)
        for user in ["a", "b", "c"] {
            #expect(ledger.acquire(QuotaLedger.Holder(username: user, clientIP: client)) == nil)
        }
        #expect(ledger.acquire(QuotaLedger.Holder(username: "d", clientIP: client)) == .clientAddress)
        // Another address is not affected.
        #expect(ledger.acquire(QuotaLedger.Holder(username: "d", clientIP: .v4(0xC633_6402))) == nil)
        ledger.release(QuotaLedger.Holder(username: "a", clientIP: client))
        #expect(ledger.acquire(QuotaLedger.Holder(username: "d", clientIP: client)) == nil)
    }

    @Test func ipv6ClientsCountPerSlash64AndMappedIPv4AsIPv4() {
        var ledger = QuotaLedger(perUser: 0, perClientAddress: 2, total: 0)
        let prefix: UInt64 = 0x2001_0DB8_0001_0002
        #expect(ledger.acquire(QuotaLedger.Holder(username: "x", clientIP: .v6(prefix, 1))) == nil)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "x", clientIP: .v6(prefix, 0xFFFF_0000_0000_0002))) == nil)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "x", clientIP: .v6(prefix, 3))) == .clientAddress)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "x", clientIP: .v6(prefix + 1, 3))) == nil)

        let ipv4 = TransportAddress.IP.v4(0xC000_0201)
        let mapped = TransportAddress.IP.v6(0, 0xFFFF_C000_0201)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "y", clientIP: ipv4)) == nil)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "y", clientIP: mapped)) == nil)
        #expect(ledger.acquire(QuotaLedger.Holder(username: "y", clientIP: ipv4)) == .clientAddress)
    }

    @Test func restUsernamesOfOneUserShareItsQuota() {
        #expect(QuotaLedger.userKey(forUsername: "1700000000:room-42") == "room-42")
        #expect(QuotaLedger.userKey(forUsername: "1700000001:room-42") == "room-42")
        #expect(QuotaLedger.userKey(forUsername: "alice") == "alice")
        #expect(QuotaLedger.userKey(forUsername: ":x") == ":x")
        #expect(QuotaLedger.userKey(forUsername: "v2:x") == "v2:x")
        var ledger = QuotaLedger(perUser: 2, total: 0)
        for expiry in 1_700_000_000..<1_700_000_002 {
            #expect(ledger.acquire(QuotaLedger.Holder(username: "\(expiry):api", clientIP: .v4(UInt32(expiry)))) == nil)
        }
        #expect(ledger.acquire(QuotaLedger.Holder(username: "1700000009:api", clientIP: .v4(9))) == .user)
    }

    @Test func severalPlacesAreTakenAllOrNone() {
        var ledger = QuotaLedger(perUser: 0, perClientAddress: 3, total: 0)
        #expect(ledger.acquire(Self.alice, places: 2) == nil)
        #expect(ledger.acquire(Self.alice, places: 2) == .clientAddress)
        #expect(ledger.count == 2)
        #expect(ledger.acquire(Self.alice) == nil)
        ledger.release(Self.alice)
        ledger.release(Self.alice)
        ledger.release(Self.alice)
        #expect(ledger.count == 0)
        #expect(ledger.countsByClient.isEmpty && ledger.countsByUser.isEmpty)
    }
}
