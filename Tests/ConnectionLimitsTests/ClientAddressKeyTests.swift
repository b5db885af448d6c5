import NIOCore
import Testing

@testable import ConnectionLimits

@Suite struct ClientAddressKeyTests {
    private func key(_ ip: String, port: Int = 40000) throws -> ClientAddressKey? {
        ClientAddressKey(try SocketAddress(ipAddress: ip, port: port))
    }

    @Test func anIPv4AddressIsItsOwnKeyWhateverThePort() throws {
        #expect(try self.key("192.0.2.1", port: 1) == self.key("192.0.2.1", port: 2))
        #expect(try self.key("192.0.2.1") != self.key("192.0.2.2"))
        #expect(try self.key("192.0.2.1")?.description == "192.0.2.1")
    }

    @Test func anIPv6AddressCountsByItsSlash64() throws {
        #expect(try self.key("2001:db8:0:1::1") == self.key("2001:db8:0:1:ffff::2"))
        #expect(try self.key("2001:db8:0:1::1") != self.key("2001:db8:0:2::1"))
        #expect(try self.key("2001:db8:0:1::1")?.description == "2001:db8:0:1::/64")
    }

    @Test func anIPv4MappedAddressCountsAsIPv4() throws {
        #expect(try self.key("::ffff:192.0.2.7") == self.key("192.0.2.7"))
        #expect(try self.key("::1") != self.key("127.0.0.1"))
    }

    @Test func aSharedLedgerRefusesByAddressAndGivesPlacesBack() throws {
        let ledger = SharedConnectionLedger(totalLimit: 0, perAddressLimit: 1)
        let first = try SocketAddress(ipAddress: "198.51.100.1", port: 1)
        let sameHost = try SocketAddress(ipAddress: "198.51.100.1", port: 2)
        guard case .admitted(let key) = ledger.open(from: first) else {
            Issue.record("the first connection was refused")
            return
        }
        guard case .refused(.perAddress) = ledger.open(from: sameHost) else {
            Issue.record("a second connection from the same host was admitted")
            return
        }
        ledger.close(key)
        guard case .admitted = ledger.open(from: sameHost) else {
            Issue.record("the place was not given back")
            return
        }
        #expect(ledger.count == 1)
    }
}
