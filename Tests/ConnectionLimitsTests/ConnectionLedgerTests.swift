import Testing

@testable import ConnectionLimits

@Suite struct ConnectionLedgerTests {
    @Test func admitsUpToThePerKeyCapThenRefusesThatKeyOnly() {
        var ledger = ConnectionLedger<String>(totalLimit: 10, perKeyLimit: 2)
        #expect(ledger.open("a") == nil)
        #expect(ledger.open("a") == nil)
        #expect(ledger.open("a") == .perAddress)
        #expect(ledger.open("b") == nil)
        #expect(ledger.count == 3)
        #expect(ledger.count(for: "a") == 2)
    }

    @Test func refusesEveryoneAtTheTotalCap() {
        var ledger = ConnectionLedger<String>(totalLimit: 3, perKeyLimit: 2)
        #expect(ledger.open("a") == nil)
        #expect(ledger.open("b") == nil)
        #expect(ledger.open("c") == nil)
        #expect(ledger.open("d") == .total)
        #expect(ledger.open("a") == .total)
        #expect(ledger.count == 3)
    }

    @Test func closingFreesAPlaceForTheSameKeyAndTheTotal() {
        var ledger = ConnectionLedger<String>(totalLimit: 2, perKeyLimit: 1)
        #expect(ledger.open("a") == nil)
        #expect(ledger.open("b") == nil)
        #expect(ledger.open("c") == .total)
        ledger.close("a")
        #expect(ledger.count(for: "a") == 0)
        #expect(ledger.open("c") == nil)
        #expect(ledger.open("c") == .total)
        ledger.close("b")
        #expect(ledger.open("c") == .perAddress)
    }

    @Test func aRefusalCountsNothing() {
        var ledger = ConnectionLedger<String>(totalLimit: 0, perKeyLimit: 1)
        #expect(ledger.open("a") == nil)
        for _ in 0..<100 {
            #expect(ledger.open("a") == .perAddress)
        }
        #expect(ledger.count == 1)
        ledger.close("a")
        #expect(ledger.count == 0)
        #expect(ledger.open("a") == nil)
    }

    @Test func zeroCapsAreUnlimited() {
        var ledger = ConnectionLedger<Int>(totalLimit: 0, perKeyLimit: 0)
        for _ in 0..<10_000 {
            #expect(ledger.open(1) == nil)
        }
        #expect(ledger.count == 10_000)
    }
}
