import STUNCodec
import Testing

@testable import TURNServer

@Suite struct IPAddressRangeTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.0.0.0/8"),
        ("10.1.2.3/8", "10.0.0.0/8"),
        (" 10.0.0.0/8\t", "10.0.0.0/8"),
        ("192.0.2.7", "192.0.2.7/32"),
        ("0.0.0.0/0", "0.0.0.0/0"),
        ("255.255.255.255/32", "255.255.255.255/32"),
        ("172.16.0.0/12", "172.16.0.0/12"),
        ("10.0.0.0/08", "10.0.0.0/8"),
        ("::1", "::1/128"),
        ("::1/128", "::1/128"),
        ("::", "::/128"),
        ("::/0", "::/0"),
        ("2001:db8::/32", "2001:db8::/32"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1/128"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001/64", "2001:db8::/64"),
        ("fe80::/10", "fe80::/10"),
        ("fe80::1234/10", "fe80::/10"),
        ("1::", "1::/128"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0/128"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8/128"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304/128"),
        ("::1.2.3.4", "::102:304/128"),
        ("64:ff9b::192.0.2.1/96", "64:ff9b::/96"),
        // IPv4-mapped ranges become IPv4 ranges.
        ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
        ("::ffff:192.0.2.1", "192.0.2.1/32"),
        ("::FFFF:c000:0201", "192.0.2.1/32"),
        ("::ffff:0:0/96", "0.0.0.0/0"),
        // Not entirely inside the mapped block: stays IPv6.
        ("::ffff:0:0/95", "::fffe:0:0/95"),
    ])
    func parses(text: String, description: String) throws {
        let range = try #require(IPAddressRange(text))
        #expect(range.description == description)
        #expect(IPAddressRange(range.description) == range)
    }

    @Test(arguments: [
        "", " ", "/", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8", "10.0.0.0/1000",
        "10.0.0/8", "10.0.0.0.0", "256.0.0.0", "1.2.3.256", "010.0.0.1", "1.2.3.-4", "+1.2.3.4", "1..2.3", "1.2.3.4 5",
        "a.b.c.d", "example.com", "::/129", ":::", "1:::2", "1::2::3", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7",
        "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8", "12345::", "g::", "fe80::1%eth0", "::1.2.3.4:5", "1.2.3.4::", ":1::",
        "1::2:", "::ffff:1.2.3", "::ffff:1.2.3.04", ":", "1:2:3:4:5:6:7:8/", "::/1a",
    ])
    func rejects(text: String) {
        #expect(IPAddressRange(text) == nil)
    }

    @Test func containsIPv4Edges() throws {
        let range = try #require(IPAddressRange("172.16.0.0/12"))
        #expect(range.contains(.v4(0xAC10_0000)))  // 172.16.0.0
        #expect(range.contains(.v4(0xAC1F_FFFF)))  // 172.31.255.255
        #expect(!range.contains(.v4(0xAC0F_FFFF)))  // 172.15.255.255
        #expect(!range.contains(.v4(0xAC20_0000)))  // 172.32.0.0
        #expect(!range.contains(.v6(0, 0xFFFF_AC10_0001)))  // other family, even mapped

        let all = try #require(IPAddressRange("0.0.0.0/0"))
        #expect(all.contains(.v4(0)))
        #expect(all.contains(.v4(.max)))
        #expect(!all.contains(.v6(0, 0)))

        let host = try #require(IPAddressRange("192.0.2.7"))
        #expect(host.contains(.v4(0xC000_0207)))
        #expect(!host.contains(.v4(0xC000_0206)))
        #expect(!host.contains(.v4(0xC000_0208)))
    }

    @Test func containsIPv6Edges() throws {
        let range = try #require(IPAddressRange("fe80::/10"))
        #expect(range.contains(.v6(0xFE80_0000_0000_0000, 0)))
        #expect(range.contains(.v6(0xFEBF_FFFF_FFFF_FFFF, .max)))
        #expect(!range.contains(.v6(0xFE7F_FFFF_FFFF_FFFF, .max)))
        #expect(!range.contains(.v6(0xFEC0_0000_0000_0000, 0)))
        #expect(!range.contains(.v4(0xFE80_0000)))

        // Prefixes in the low 64 bits.
        let slash96 = try #require(IPAddressRange("64:ff9b::/96"))
        #expect(slash96.contains(.v6(0x0064_FF9B_0000_0000, 0x0000_0000_FFFF_FFFF)))
        #expect(!slash96.contains(.v6(0x0064_FF9B_0000_0000, 0x0000_0001_0000_0000)))
        let slash64 = try #require(IPAddressRange("2001:db8:1:2::/64"))
        #expect(slash64.contains(.v6(0x2001_0DB8_0001_0002, .max)))
        #expect(!slash64.contains(.v6(0x2001_0DB8_0001_0003, 0)))
        let slash127 = try #require(IPAddressRange("2001:db8::2/127"))
        #expect(slash127.contains(.v6(0x2001_0DB8_0000_0000, 2)))
        #expect(slash127.contains(.v6(0x2001_0DB8_0000_0000, 3)))
        #expect(!slash127.contains(.v6(0x2001_0DB8_0000_0000, 1)))
        #expect(!slash127.contains(.v6(0x2001_0DB8_0000_0000, 4)))

        let all = try #require(IPAddressRange("::/0"))
        #expect(all.contains(.v6(.max, .max)))
        #expect(!all.contains(.v4(0)))
    }

    @Test func mappedRangeMatchesIPv4() throws {
        let range = try #require(IPAddressRange("::ffff:10.0.0.0/104"))
        #expect(range == IPAddressRange("10.0.0.0/8"))
        #expect(range.contains(.v4(0x0A01_0203)))
        #expect(range.prefixLength == 8)
    }

    @Test func programmaticInitMasksHostBits() {
        let range = IPAddressRange(ip: .v4(0xC0A8_0101), prefixLength: 16)
        #expect(range.network == .v4(0xC0A8_0000))
        #expect(range == IPAddressRange("192.168.0.0/16"))
        let v6 = IPAddressRange(ip: .v6(0x2001_0DB8_FFFF_FFFF, .max), prefixLength: 32)
        #expect(v6.description == "2001:db8::/32")
        #expect(IPAddressRange(ip: .v6(0, 0xFFFF_0A00_0001), prefixLength: 128).description == "10.0.0.1/32")
    }
}
