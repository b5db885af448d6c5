import STUNCodec
import Testing

@testable import SwitchboardApp

/// The RFC 5780 §4 decision of `nat-probe` on made-up observations, one per RFC 4787 NAT type.
@Suite struct NATVerdictTests {
    static let local = TransportAddress(ip: .v4(0x0A00_0002), port: 40000)
    static let other = TransportAddress(ip: .v4(0xC633_6402), port: 3479)
    static let mapped = TransportAddress(ip: .v4(0xCB00_7101), port: 50000)
    static let mappedElsewhere = TransportAddress(ip: .v4(0xCB00_7101), port: 50001)
    static let mappedThird = TransportAddress(ip: .v4(0xCB00_7101), port: 50002)

    private func observed(
        mapping: (TransportAddress?, TransportAddress?),
        filtering: (Bool?, Bool?),
        local: TransportAddress = local
    ) -> NATObservations {
        var observed = NATObservations(local: local, mappedByPrimary: Self.mapped, otherAddress: Self.other)
        observed.mappedByAlternateIP = mapping.0
        observed.mappedByAlternateIPAndPort = mapping.1
        observed.filteringReplyFromOtherIPAndPort = filtering.0
        observed.filteringReplyFromOtherPort = filtering.1
        return observed
    }

    @Test func fullCone() {
        let verdict = NATVerdict(self.observed(mapping: (Self.mapped, nil), filtering: (true, nil)))
        #expect(verdict.mapping == .endpointIndependent && verdict.filtering == .endpointIndependent)
        #expect(verdict.classicName == "full cone" && !verdict.noNAT)
    }

    @Test func restrictedCone() {
        let verdict = NATVerdict(self.observed(mapping: (Self.mapped, nil), filtering: (false, true)))
        #expect(verdict.filtering == .addressDependent && verdict.classicName == "restricted cone")
    }

    @Test func portRestrictedCone() {
        let verdict = NATVerdict(self.observed(mapping: (Self.mapped, nil), filtering: (false, false)))
        #expect(verdict.filtering == .addressAndPortDependent && verdict.classicName == "port-restricted cone")
    }

    @Test func symmetric() {
        let verdict = NATVerdict(
            self.observed(mapping: (Self.mappedElsewhere, Self.mappedThird), filtering: (false, false))
        )
        #expect(verdict.mapping == .addressAndPortDependent && verdict.classicName == "symmetric")
        let addressDependent = NATVerdict(
            self.observed(mapping: (Self.mappedElsewhere, Self.mappedElsewhere), filtering: (false, false))
        )
        #expect(addressDependent.mapping == .addressDependent && addressDependent.classicName == "symmetric")
    }

    @Test func noNAT() {
        let open = NATVerdict(self.observed(mapping: (Self.mapped, nil), filtering: (true, nil), local: Self.mapped))
        #expect(open.noNAT && open.classicName == "open" && open.mapping == .endpointIndependent)
        let firewall = NATVerdict(
            self.observed(mapping: (Self.mapped, nil), filtering: (false, false), local: Self.mapped)
        )
        #expect(firewall.classicName == "firewall")
    }

    @Test func missingAnswersAreUnknownNotGuessed() {
        let verdict = NATVerdict(self.observed(mapping: (nil, nil), filtering: (nil, nil)))
        #expect(verdict.mapping == .unknown && verdict.filtering == .unknown && verdict.classicName == "unknown")
        let half = NATVerdict(self.observed(mapping: (Self.mappedElsewhere, nil), filtering: (false, nil)))
        #expect(half.mapping == .unknown && half.filtering == .unknown)
    }

    @Test func serverArgumentsParse() throws {
        #expect(try NATProbeCommand.resolve("127.0.0.2:5000") == TransportAddress(ip: .v4(0x7F00_0002), port: 5000))
        #expect(try NATProbeCommand.resolve("127.0.0.2").port == 3478)
        #expect(try NATProbeCommand.resolve("[::1]:5000") == TransportAddress(ip: .v6(0, 1), port: 5000))
        #expect(throws: NATProbeError.badServer("127.0.0.1:99999")) { try NATProbeCommand.resolve("127.0.0.1:99999") }
    }
}
