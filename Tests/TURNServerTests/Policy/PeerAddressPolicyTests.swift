import STUNCodec
import Testing

@testable import TURNServer

/// An IP from text, as given (IPv4-mapped forms stay IPv6, unlike `IPAddressRange`).
private func ip(_ text: String) -> TransportAddress.IP {
    if text.utf8.contains(UInt8(ascii: ":")) {
        let (high, low) = IPAddressRange.parseIPv6(text)!
        return .v6(high, low)
    }
    return .v4(IPAddressRange.parseIPv4(text)!)
}

private func address(_ text: String, _ port: UInt16) -> TransportAddress {
    TransportAddress(ip: ip(text), port: port)
}

private func ranges(_ texts: String...) -> [IPAddressRange] {
    texts.map { IPAddressRange($0)! }
}

@Suite struct PeerAddressPolicyTests {
    let policy = PeerAddressPolicy(allow: [], deny: [], serverAddresses: [])

    // MARK: - Built-in denials, edges inside and outside

    @Test(arguments: [
        // 0.0.0.0/8
        ("0.0.0.0", PeerAddressPolicy.Verdict.denied(reason: .unspecified)),
        ("0.255.255.255", .denied(reason: .unspecified)),
        ("1.0.0.0", .allowed),
        // 127.0.0.0/8
        ("126.255.255.255", .allowed),
        ("127.0.0.0", .denied(reason: .loopback)),
        ("127.0.0.1", .denied(reason: .loopback)),
        ("127.255.255.255", .denied(reason: .loopback)),
        ("128.0.0.0", .allowed),
        // 169.254.0.0/16
        ("169.253.255.255", .allowed),
        ("169.254.0.0", .denied(reason: .linkLocal)),
        ("169.254.255.255", .denied(reason: .linkLocal)),
        ("169.255.0.0", .allowed),
        // 10.0.0.0/8
        ("9.255.255.255", .allowed),
        ("10.0.0.0", .denied(reason: .privateNetwork)),
        ("10.255.255.255", .denied(reason: .privateNetwork)),
        ("11.0.0.0", .allowed),
        // 172.16.0.0/12
        ("172.15.255.255", .allowed),
        ("172.16.0.0", .denied(reason: .privateNetwork)),
        ("172.31.255.255", .denied(reason: .privateNetwork)),
        ("172.32.0.0", .allowed),
        // 192.168.0.0/16
        ("192.167.255.255", .allowed),
        ("192.168.0.0", .denied(reason: .privateNetwork)),
        ("192.168.255.255", .denied(reason: .privateNetwork)),
        ("192.169.0.0", .allowed),
        // 100.64.0.0/10
        ("100.63.255.255", .allowed),
        ("100.64.0.0", .denied(reason: .sharedAddressSpace)),
        ("100.127.255.255", .denied(reason: .sharedAddressSpace)),
        ("100.128.0.0", .allowed),
        // 224.0.0.0/4, 240.0.0.0/4
        ("223.255.255.255", .allowed),
        ("224.0.0.0", .denied(reason: .multicast)),
        ("239.255.255.255", .denied(reason: .multicast)),
        ("240.0.0.0", .denied(reason: .reserved)),
        ("255.255.255.254", .denied(reason: .reserved)),
        ("255.255.255.255", .denied(reason: .reserved)),
        // 192.0.0.0/24
        ("191.255.255.255", .allowed),
        ("192.0.0.0", .denied(reason: .reserved)),
        ("192.0.0.255", .denied(reason: .reserved)),
        ("192.0.1.0", .allowed),
        // 192.0.2.0/24
        ("192.0.1.255", .allowed),
        ("192.0.2.0", .denied(reason: .documentation)),
        ("192.0.2.255", .denied(reason: .documentation)),
        ("192.0.3.0", .allowed),
        // 192.88.99.0/24
        ("192.88.98.255", .allowed),
        ("192.88.99.0", .denied(reason: .reserved)),
        ("192.88.99.255", .denied(reason: .reserved)),
        ("192.88.100.0", .allowed),
        // 198.18.0.0/15
        ("198.17.255.255", .allowed),
        ("198.18.0.0", .denied(reason: .reserved)),
        ("198.19.255.255", .denied(reason: .reserved)),
        ("198.20.0.0", .allowed),
        // 198.51.100.0/24
        ("198.51.99.255", .allowed),
        ("198.51.100.0", .denied(reason: .documentation)),
        ("198.51.100.255", .denied(reason: .documentation)),
        ("198.51.101.0", .allowed),
        // 203.0.113.0/24
        ("203.0.112.255", .allowed),
        ("203.0.113.0", .denied(reason: .documentation)),
        ("203.0.113.255", .denied(reason: .documentation)),
        ("203.0.114.0", .allowed),
        // Public.
        ("8.8.8.8", .allowed),
        ("1.1.1.1", .allowed),
    ])
    func ipv4(text: String, expected: PeerAddressPolicy.Verdict) {
        #expect(self.policy.check(address(text, 3478), isLiveRelayAddress: false) == expected)
        #expect(PeerAddressPolicy.builtInDenial(for: ip(text)) == expected.reason)
    }

    @Test(arguments: [
        // ::/128, ::1/128, the rest of ::/8 (IPv4-compatible, SIIT, local-use NAT64)
        ("::", PeerAddressPolicy.Verdict.denied(reason: .unspecified)),
        ("::1", .denied(reason: .loopback)),
        ("::2", .denied(reason: .reserved)),
        ("::127.0.0.1", .denied(reason: .reserved)),
        ("::8.8.8.8", .denied(reason: .reserved)),
        ("::ffff:0:127.0.0.1", .denied(reason: .reserved)),
        ("64:ff9b:1::8.8.8.8", .denied(reason: .reserved)),
        ("ff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        // 100::/64 discard-only, and outside 2000::/3
        ("100::", .denied(reason: .reserved)),
        ("100::ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("100:0:0:1::", .denied(reason: .reserved)),
        ("1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2000::", .allowed),
        // 2001::/32 Teredo, 2001:2::/48 benchmarking, ORCHID 2001:10::/28 and 2001:20::/28
        ("2001::", .denied(reason: .reserved)),
        ("2001:0:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2001:1::1", .allowed),
        ("2001:2::", .denied(reason: .reserved)),
        ("2001:2:0:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2001:2:1::", .allowed),
        ("2001:f:ffff:ffff:ffff:ffff:ffff:ffff", .allowed),
        ("2001:10::", .denied(reason: .reserved)),
        ("2001:1f:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2001:20::", .denied(reason: .reserved)),
        ("2001:2f:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2001:30::", .allowed),
        // 2001:db8::/32
        ("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", .allowed),
        ("2001:db8::", .denied(reason: .documentation)),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .documentation)),
        ("2001:db9::", .allowed),
        // 2002::/16 6to4
        ("2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .allowed),
        ("2002::", .denied(reason: .reserved)),
        ("2002:7f00:1::1", .denied(reason: .reserved)),
        ("2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("2003::", .allowed),
        // 3fff::/20 documentation, end of 2000::/3
        ("3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .allowed),
        ("3fff::", .denied(reason: .documentation)),
        ("3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .documentation)),
        ("3fff:1000::", .allowed),
        ("4000::", .denied(reason: .reserved)),
        // fc00::/7
        ("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("fc00::", .denied(reason: .uniqueLocal)),
        ("fd12:3456:789a::1", .denied(reason: .uniqueLocal)),
        ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .uniqueLocal)),
        ("fe00::", .denied(reason: .reserved)),
        // fe80::/10, fec0::/10
        ("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        ("fe80::", .denied(reason: .linkLocal)),
        ("fe80::1", .denied(reason: .linkLocal)),
        ("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .linkLocal)),
        ("fec0::", .denied(reason: .reserved)),
        ("feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .reserved)),
        // ff00::/8
        ("ff00::", .denied(reason: .multicast)),
        ("ff02::1", .denied(reason: .multicast)),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", .denied(reason: .multicast)),
        // Public.
        ("2606:4700:4700::1111", .allowed),
        ("2001:4860:4860::8888", .allowed),
    ])
    func ipv6(text: String, expected: PeerAddressPolicy.Verdict) {
        #expect(self.policy.check(address(text, 3478), isLiveRelayAddress: false) == expected)
    }

    // MARK: - Canonicalisation

    @Test(arguments: [
        ("::ffff:127.0.0.1", PeerAddressPolicy.Verdict.denied(reason: .loopback)),
        ("::ffff:0.0.0.0", .denied(reason: .unspecified)),
        ("::ffff:10.1.2.3", .denied(reason: .privateNetwork)),
        ("::ffff:169.254.1.1", .denied(reason: .linkLocal)),
        ("::ffff:224.0.0.1", .denied(reason: .multicast)),
        ("::ffff:8.8.8.8", .allowed),
        ("64:ff9b::127.0.0.1", .denied(reason: .loopback)),
        ("64:ff9b::0.0.0.0", .denied(reason: .unspecified)),
        ("64:ff9b::10.0.0.1", .denied(reason: .privateNetwork)),
        ("64:ff9b::100.64.0.1", .denied(reason: .sharedAddressSpace)),
        ("64:ff9b::8.8.8.8", .allowed),
        ("64:ff9b::1:0:0:1", .denied(reason: .reserved)),
    ])
    func embeddedIPv4IsCanonicalised(text: String, expected: PeerAddressPolicy.Verdict) {
        #expect(self.policy.check(address(text, 3478), isLiveRelayAddress: false) == expected)
    }

    @Test func canonicalizeKeepsThePort() {
        #expect(PeerAddressPolicy.canonicalize(address("::ffff:192.0.2.1", 5000)) == address("192.0.2.1", 5000))
        #expect(PeerAddressPolicy.canonicalize(address("64:ff9b::192.0.2.1", 5000)) == address("192.0.2.1", 5000))
        #expect(PeerAddressPolicy.canonicalize(address("2001:db8::1", 5000)) == address("2001:db8::1", 5000))
        #expect(PeerAddressPolicy.canonicalize(address("192.0.2.1", 5000)) == address("192.0.2.1", 5000))
    }

    // MARK: - Allow and deny lists

    @Test func allowListOverridesBuiltInDenials() {
        let policy = PeerAddressPolicy(allow: ranges("127.0.0.0/8", "10.0.0.0/8"), deny: [], serverAddresses: [])
        #expect(policy.check(address("127.0.0.1", 4000), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("::ffff:127.0.0.1", 4000), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("10.2.3.4", 4000), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("::1", 4000), isLiveRelayAddress: false) == .denied(reason: .loopback))
        #expect(
            policy.check(address("192.168.1.1", 4000), isLiveRelayAddress: false) == .denied(reason: .privateNetwork)
        )
    }

    @Test func denyListWinsOverAllowList() {
        let policy = PeerAddressPolicy(
            allow: ranges("127.0.0.0/8", "0.0.0.0/0"),
            deny: ranges("127.0.0.2", "8.8.8.0/24"),
            serverAddresses: []
        )
        #expect(policy.check(address("127.0.0.1", 4000), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("127.0.0.2", 4000), isLiveRelayAddress: false) == .denied(reason: .denyList))
        #expect(
            policy.check(address("::ffff:127.0.0.2", 4000), isLiveRelayAddress: false) == .denied(reason: .denyList)
        )
        #expect(policy.check(address("8.8.8.8", 4000), isLiveRelayAddress: false) == .denied(reason: .denyList))
        #expect(
            policy.check(address("64:ff9b::8.8.8.8", 4000), isLiveRelayAddress: false) == .denied(reason: .denyList)
        )
        #expect(policy.check(address("8.8.4.4", 4000), isLiveRelayAddress: false) == .allowed)
    }

    @Test func listsMatchTheAddressAsGivenToo() {
        // Denying the NAT64 prefix itself denies every address behind it.
        let policy = PeerAddressPolicy(allow: [], deny: ranges("64:ff9b::/96"), serverAddresses: [])
        #expect(
            policy.check(address("64:ff9b::8.8.8.8", 4000), isLiveRelayAddress: false) == .denied(reason: .denyList)
        )
        #expect(policy.check(address("8.8.8.8", 4000), isLiveRelayAddress: false) == .allowed)
        // A mapped range in the configuration is an IPv4 range.
        let mapped = PeerAddressPolicy(allow: ranges("::ffff:127.0.0.0/104"), deny: [], serverAddresses: [])
        #expect(mapped.check(address("127.0.0.1", 4000), isLiveRelayAddress: false) == .allowed)
        // Families do not mix: ::/0 does not allow IPv4 loopback.
        let v6All = PeerAddressPolicy(allow: ranges("::/0"), deny: [], serverAddresses: [])
        #expect(v6All.check(address("127.0.0.1", 4000), isLiveRelayAddress: false) == .denied(reason: .loopback))
        #expect(v6All.check(address("::1", 4000), isLiveRelayAddress: false) == .allowed)
    }

    // MARK: - Server addresses

    @Test func serverIPIsDeniedUnlessAllowListed() {
        let server = [address("8.8.8.8", 3478)]
        let policy = PeerAddressPolicy(allow: [], deny: [], serverAddresses: server)
        #expect(policy.check(address("8.8.8.8", 50000), isLiveRelayAddress: false) == .denied(reason: .serverAddress))
        #expect(
            policy.check(address("::ffff:8.8.8.8", 50000), isLiveRelayAddress: false) == .denied(reason: .serverAddress)
        )
        #expect(policy.check(address("8.8.8.9", 50000), isLiveRelayAddress: false) == .allowed)

        let allowed = PeerAddressPolicy(allow: ranges("8.8.8.0/24"), deny: [], serverAddresses: server)
        #expect(allowed.check(address("8.8.8.8", 50000), isLiveRelayAddress: false) == .allowed)
    }

    @Test func listeningSocketIsAlwaysDenied() {
        let policy = PeerAddressPolicy(
            allow: ranges("0.0.0.0/0", "::/0"),
            deny: [],
            serverAddresses: [
                address("127.0.0.1", 3478), address("::ffff:8.8.8.8", 3478), address("2001:db8::1", 3479),
            ]
        )
        let denied = PeerAddressPolicy.Verdict.denied(reason: .serverAddress)
        for isRelay in [false, true] {
            #expect(policy.check(address("127.0.0.1", 3478), isLiveRelayAddress: isRelay) == denied)
            #expect(policy.check(address("::ffff:127.0.0.1", 3478), isLiveRelayAddress: isRelay) == denied)
            #expect(policy.check(address("8.8.8.8", 3478), isLiveRelayAddress: isRelay) == denied)
            #expect(policy.check(address("2001:db8::1", 3479), isLiveRelayAddress: isRelay) == denied)
            // The unspecified address on a listening port reaches the listener.
            #expect(policy.check(address("0.0.0.0", 3478), isLiveRelayAddress: isRelay) == denied)
            #expect(policy.check(address("::", 3479), isLiveRelayAddress: isRelay) == denied)
        }
        // Other ports of the same IPs are allow-listed here.
        #expect(policy.check(address("127.0.0.1", 3479), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("8.8.8.8", 3477), isLiveRelayAddress: false) == .allowed)
        // Another loopback IP is not the listening socket.
        #expect(policy.check(address("127.0.0.2", 3478), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("0.0.0.0", 9), isLiveRelayAddress: false) == .allowed)
    }

    @Test func wildcardListeningSocket() {
        let policy = PeerAddressPolicy(
            allow: ranges("127.0.0.0/8", "::1"),
            deny: [],
            serverAddresses: [address("0.0.0.0", 3478), address("::", 3478), address("8.8.8.8", 5349)]
        )
        let denied = PeerAddressPolicy.Verdict.denied(reason: .serverAddress)
        #expect(policy.check(address("127.0.0.5", 3478), isLiveRelayAddress: true) == denied)
        #expect(policy.check(address("::1", 3478), isLiveRelayAddress: false) == denied)
        #expect(policy.check(address("8.8.8.8", 3478), isLiveRelayAddress: false) == denied)
        #expect(policy.check(address("0.0.0.0", 3478), isLiveRelayAddress: false) == denied)
        #expect(policy.check(address("127.0.0.5", 3479), isLiveRelayAddress: false) == .allowed)
        #expect(policy.check(address("1.1.1.1", 3478), isLiveRelayAddress: false) == .allowed)
    }

    // MARK: - Relay addresses

    @Test func liveRelayAddressIsAllowed() {
        let policy = PeerAddressPolicy(
            allow: [],
            deny: ranges("127.0.0.0/8"),
            serverAddresses: [address("127.0.0.1", 3478), address("8.8.8.8", 3478)]
        )
        // Loopback, deny-listed and a server IP: allowed as a live relay address of this server...
        #expect(policy.check(address("127.0.0.1", 50000), isLiveRelayAddress: true) == .allowed)
        #expect(policy.check(address("8.8.8.8", 50000), isLiveRelayAddress: true) == .allowed)
        #expect(policy.check(address("10.0.0.1", 50000), isLiveRelayAddress: true) == .allowed)
        // ...and denied as anything else.
        #expect(policy.check(address("127.0.0.1", 50000), isLiveRelayAddress: false) == .denied(reason: .denyList))
        #expect(policy.check(address("8.8.8.8", 50000), isLiveRelayAddress: false) == .denied(reason: .serverAddress))
        #expect(policy.check(address("10.0.0.1", 50000), isLiveRelayAddress: false) == .denied(reason: .privateNetwork))
        // Never a listening socket.
        #expect(policy.check(address("127.0.0.1", 3478), isLiveRelayAddress: true) == .denied(reason: .serverAddress))
    }

    @Test func serverIPsAreEveryOwnAddressLoopbackAndUnspecifiedInAnyForm() {
        let policy = PeerAddressPolicy(
            allow: [],
            deny: [],
            serverAddresses: [address("198.51.100.1", 3478)],
            otherServerIPs: [ip("203.0.113.5"), ip("2001:db8::5")]
        )
        for text in [
            "198.51.100.1", "203.0.113.5", "2001:db8::5", "127.0.0.1", "127.1.2.3", "::1", "0.0.0.0", "0.1.2.3", "::",
            "::ffff:127.0.0.1", "::ffff:198.51.100.1", "64:ff9b::cb00:7105",
        ] {
            #expect(policy.isServerIP(ip(text)), "\(text)")
        }
        for text in ["198.51.100.2", "2001:db8::6", "10.0.0.1", "::ffff:8.8.8.8"] {
            #expect(!policy.isServerIP(ip(text)), "\(text)")
        }
    }

    @Test func otherServerIPsAreDeniedOnEveryPortButLiveRelays() {
        let policy = PeerAddressPolicy(
            allow: [],
            deny: [],
            serverAddresses: [],
            otherServerIPs: [ip("203.0.113.5")]
        )
        #expect(policy.check(address("203.0.113.5", 9), isLiveRelayAddress: false).reason == .serverAddress)
        #expect(policy.check(address("::ffff:203.0.113.5", 9), isLiveRelayAddress: false).reason == .serverAddress)
        #expect(policy.check(address("203.0.113.5", 50000), isLiveRelayAddress: true) == .allowed)
    }

    @Test func reasonsHaveStableLabels() {
        #expect(
            PeerAddressPolicy.DenyReason.allCases.map(\.rawValue) == [
                "loopback", "unspecified", "link_local", "unique_local", "private", "cgnat", "multicast", "reserved",
                "documentation", "server_address", "deny_list",
            ]
        )
    }
}

extension PeerAddressPolicy.Verdict {
    fileprivate var reason: PeerAddressPolicy.DenyReason? {
        if case .denied(let reason) = self {
            return reason
        }
        return nil
    }
}
