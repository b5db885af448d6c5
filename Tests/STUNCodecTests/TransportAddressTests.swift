import NIOCore
import Testing

@testable import STUNCodec

@Suite struct TransportAddressTests {
    @Test(arguments: [
        (TransportAddress.IP.v4(0xC000_0201), UInt16(32853), "192.0.2.1:32853"),
        (.v4(0), 0, "0.0.0.0:0"),
        (.v4(0xFFFF_FFFF), 65535, "255.255.255.255:65535"),
        (.v6(0x2001_0DB8_0000_0000, 1), 3478, "[2001:db8::1]:3478"),
        (.v6(0, 0), 1, "[::]:1"),
        (.v6(0, 1), 1, "[::1]:1"),
        (.v6(0x2001_0DB8_0000_0000, 0x0001_0000_0000_0001), 1, "[2001:db8::1:0:0:1]:1"),
        (.v6(0x2001_0000_0000_0001, 0x0000_0000_0000_0001), 1, "[2001:0:0:1::1]:1"),
        (.v6(0x2001_0DB8_0000_0001, 0x0001_0001_0001_0001), 1, "[2001:db8:0:1:1:1:1:1]:1"),
        (.v6(0x2001_0DB8_1234_5678, 0x0011_2233_4455_6677), 32853, "[2001:db8:1234:5678:11:2233:4455:6677]:32853"),
        (.v6(0, 0x0000_FFFF_C000_0201), 80, "[::ffff:192.0.2.1]:80"),
        (.v6(0xFE80_0000_0000_0000, 0x0000_0000_0000_0000), 1, "[fe80::]:1"),
    ])
    func description(ip: TransportAddress.IP, port: UInt16, expected: String) {
        #expect(TransportAddress(ip: ip, port: port).description == expected)
    }

    @Test(arguments: [
        ("192.0.2.1", 32853, "192.0.2.1:32853"),
        ("127.0.0.1", 3478, "127.0.0.1:3478"),
        ("2001:db8::1", 3478, "[2001:db8::1]:3478"),
        ("::1", 1, "[::1]:1"),
        ("::ffff:10.0.0.1", 9, "[::ffff:10.0.0.1]:9"),
    ])
    func socketAddressRoundTrip(ip: String, port: Int, expected: String) throws {
        let socketAddress = try SocketAddress(ipAddress: ip, port: port)
        let address = try #require(TransportAddress(socketAddress))
        #expect(address.description == expected)
        #expect(address.port == UInt16(port))
        let back = address.makeSocketAddress()
        #expect(back == socketAddress)
        #expect(back.port == port)
        #expect(TransportAddress(back) == address)
    }

    @Test func socketAddressValues() throws {
        let v4 = try #require(TransportAddress(try SocketAddress(ipAddress: "192.0.2.1", port: 1)))
        #expect(v4.ip == .v4(0xC000_0201))
        #expect(v4.family == .ipv4)
        let v6 = try #require(TransportAddress(try SocketAddress(ipAddress: "2001:db8::2", port: 1)))
        #expect(v6.ip == .v6(0x2001_0DB8_0000_0000, 2))
        #expect(v6.family == .ipv6)
        #expect(TransportAddress.IP.v6(0x2001_0DB8_0000_0000, 2) != .v6(2, 0x2001_0DB8_0000_0000))
    }

    @Test func unixSocketsHaveNoTransportAddress() throws {
        #expect(TransportAddress(try SocketAddress(unixDomainSocketPath: "/tmp/switchboard.sock")) == nil)
    }

    @Test func ipv4Mapped() {
        let mapped = TransportAddress(ip: .v6(0, 0x0000_FFFF_C000_0201), port: 5)
        #expect(mapped.isIPv4Mapped)
        #expect(mapped.unmappingIPv4() == TransportAddress(ip: .v4(0xC000_0201), port: 5))
        let plain = TransportAddress(ip: .v6(0, 1), port: 5)
        #expect(!plain.isIPv4Mapped)
        #expect(plain.unmappingIPv4() == plain)
        let v4 = TransportAddress(ip: .v4(1), port: 5)
        #expect(v4.unmappingIPv4() == v4)
    }

    @Test func usableAsDictionaryKey() {
        var table = [TransportAddress: Int]()
        table[TransportAddress(ip: .v4(1), port: 1)] = 1
        table[TransportAddress(ip: .v4(1), port: 2)] = 2
        table[TransportAddress(ip: .v6(0, 1), port: 1)] = 3
        #expect(table.count == 3)
        #expect(table[TransportAddress(ip: .v4(1), port: 2)] == 2)
    }

    @Test func ipLiteralsAreParsedAndWrittenBack() {
        #expect(TransportAddress.IP("192.0.2.1") == .v4(0xC000_0201))
        #expect(TransportAddress.IP("2001:DB8::1") == .v6(0x2001_0DB8_0000_0000, 1))
        #expect(TransportAddress.IP("::ffff:10.0.0.1") == .v6(0, 0x0000_FFFF_0A00_0001))
        for notAnIP in ["", "localhost", "[::1]", "192.0.2.1:80", "010.0.0.1x"] {
            #expect(TransportAddress.IP(notAnIP) == nil, "\(notAnIP)")
        }
        #expect(TransportAddress.IP("2001:DB8::1")?.text == "2001:db8::1")
        #expect(TransportAddress.IP.v4(0).isUnspecified && TransportAddress.IP.v6(0, 0).isUnspecified)
        #expect(!TransportAddress.IP.v6(0, 1).isUnspecified)
    }
}
