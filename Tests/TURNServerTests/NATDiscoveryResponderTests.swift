import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// RFC 5780 §6.1 on the pure responder: which address answers, which attributes it carries, and where 420 and 400
/// are the answer. No sockets.
@Suite struct NATDiscoveryResponderTests {
    static let ip1 = TransportAddress.IP.v4(0x7F00_0001)
    static let ip2 = TransportAddress.IP.v4(0x7F00_0002)
    static let primary = TransportAddress(ip: ip1, port: 3478)
    let client = TransportAddress(ip: .v4(0xC000_0201), port: 40000)
    let allocator = ByteBufferAllocator()
    let full = NATDiscoveryEndpoints(primary: primary, alternateIP: ip2, alternatePort: 3479)

    private func request(_ attributes: [any STUNAttributeEncodable] = []) throws -> STUNMessage {
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: .random(),
            buffer: self.allocator.buffer(capacity: 64)
        )
        for attribute in attributes {
            writer.append(attribute)
        }
        return try STUNMessage.decode(writer.finish())
    }

    private func answer(
        _ message: STUNMessage,
        on local: TransportAddress = primary,
        endpoints: NATDiscoveryEndpoints?
    ) -> (response: STUNMessage?, route: BindingResponder.Route) {
        let responder = BindingResponder(software: nil, discovery: endpoints)
        let answer = responder.respond(to: message, from: self.client, receivedOn: local, allocator: self.allocator)
        guard case .respond(let bytes, _) = answer.action else {
            return (nil, answer.route)
        }
        return (try? STUNMessage.decode(bytes), answer.route)
    }

    @Test func endpointsListEveryCombination() {
        #expect(self.full.all.count == 4)
        #expect(Set(self.full.all).count == 4)
        let portOnly = NATDiscoveryEndpoints(primary: Self.primary, alternateIP: nil, alternatePort: 3479)
        #expect(portOnly.all == [Self.primary, TransportAddress(ip: Self.ip1, port: 3479)])
        let same = NATDiscoveryEndpoints(primary: Self.primary, alternateIP: Self.ip1, alternatePort: 3478)
        #expect(!same.hasAlternate && same.all == [Self.primary])
    }

    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func changeRequestPicksTheOrigin(changeIP: Bool, changePort: Bool) throws {
        for local in self.full.all {
            let message = try self.request([ChangeRequest(changeIP: changeIP, changePort: changePort)])
            let (answered, route) = self.answer(message, on: local, endpoints: self.full)
            let response = try #require(answered)
            var expected = local
            if changeIP {
                expected.ip = local.ip == Self.ip1 ? Self.ip2 : Self.ip1
            }
            if changePort {
                expected.port = local.port == 3478 ? 3479 : 3478
            }
            #expect(route.origin == (changeIP || changePort ? expected : nil))
            #expect(route.destination == self.client)
            #expect(response.type == STUNMessageType(method: .binding, messageClass: .successResponse))
            #expect(try response.attribute(ResponseOrigin.self)?.address == expected)
            #expect(try response.attribute(XORMappedAddress.self)?.address == self.client)
        }
    }

    @Test func otherAddressDiffersInBothIPAndPort() throws {
        for local in self.full.all {
            let (response, _) = self.answer(try self.request(), on: local, endpoints: self.full)
            let other = try #require(try response?.attribute(OtherAddress.self)?.address)
            #expect(other.ip != local.ip && other.port != local.port)
        }
    }

    @Test func withOnlyAnAlternatePortTheIPCannotChange() throws {
        let portOnly = NATDiscoveryEndpoints(primary: Self.primary, alternateIP: nil, alternatePort: 3479)
        let (moved, route) = self.answer(
            try self.request([ChangeRequest(changeIP: false, changePort: true)]),
            endpoints: portOnly
        )
        #expect(route.origin == TransportAddress(ip: Self.ip1, port: 3479))
        #expect(try moved?.attribute(OtherAddress.self)?.address == TransportAddress(ip: Self.ip1, port: 3479))

        let (refused, back) = self.answer(
            try self.request([ChangeRequest(changeIP: true, changePort: false)]),
            endpoints: portOnly
        )
        let response = try #require(refused)
        #expect(try response.attribute(ErrorCodeAttribute.self)?.code == .unknownAttribute)
        #expect(try response.attribute(UnknownAttributes.self)?.types == [.changeRequest])
        #expect(back.origin == nil)
    }

    @Test func withoutDiscoveryTheRFC5780AttributesAreUnknown() throws {
        for attribute in [
            ChangeRequest(changeIP: false, changePort: true) as any STUNAttributeEncodable,
            ResponsePort(port: 5000), Padding(length: 8),
        ] {
            let (response, route) = self.answer(try self.request([attribute]), endpoints: nil)
            let error = try #require(response)
            #expect(try error.attribute(ErrorCodeAttribute.self)?.code == .unknownAttribute)
            #expect(route.origin == nil)
        }
        // Nor does a plain response claim RFC 5780 support.
        let (plain, _) = self.answer(try self.request(), endpoints: nil)
        #expect(try plain?.attribute(ResponseOrigin.self) == nil)
        #expect(try plain?.attribute(OtherAddress.self) == nil)
    }

    @Test func aStreamOrAnotherAddressGetsNoDiscovery() throws {
        let responder = BindingResponder(software: nil, discovery: self.full)
        let message = try self.request([ChangeRequest(changeIP: true, changePort: true)])
        // TCP: no local address is passed, CHANGE-REQUEST stays unknown.
        guard
            case .respond(let bytes, .error(.unknownAttribute)) = responder.respond(
                to: message,
                from: self.client,
                allocator: self.allocator
            )
        else {
            Issue.record("expected 420")
            return
        }
        #expect(try STUNMessage.decode(bytes).attribute(UnknownAttributes.self)?.types == [.changeRequest])
        // A UDP socket that is not one of the discovery addresses.
        let elsewhere = TransportAddress(ip: .v4(0x0A00_0001), port: 3478)
        let (response, _) = self.answer(message, on: elsewhere, endpoints: self.full)
        #expect(try response?.attribute(ErrorCodeAttribute.self)?.code == .unknownAttribute)
    }

    @Test func responsePortRedirectsTheReply() throws {
        let (response, route) = self.answer(try self.request([ResponsePort(port: 5000)]), endpoints: self.full)
        #expect(route.destination == TransportAddress(ip: self.client.ip, port: 5000))
        #expect(route.origin == nil)
        // XOR-MAPPED-ADDRESS is still where the request came from.
        #expect(try response?.attribute(XORMappedAddress.self)?.address == self.client)
    }

    @Test func responsePortZeroIsABadRequest() throws {
        let (response, route) = self.answer(try self.request([ResponsePort(port: 0)]), endpoints: self.full)
        #expect(try response?.attribute(ErrorCodeAttribute.self)?.code == .badRequest)
        #expect(route.destination == self.client)
    }

    @Test func paddingWithResponsePortIsABadRequest() throws {
        let message = try self.request([ResponsePort(port: 5000), Padding(length: 100)])
        let (response, route) = self.answer(message, endpoints: self.full)
        #expect(try response?.attribute(ErrorCodeAttribute.self)?.code == .badRequest)
        #expect(route.destination == self.client)
    }

    @Test func paddingIsEchoedNeverLarger() throws {
        let (response, _) = self.answer(try self.request([Padding(length: 1200)]), endpoints: self.full)
        #expect(try response?.attribute(Padding.self)?.length == 1200)
        let (plain, _) = self.answer(try self.request(), endpoints: self.full)
        #expect(try plain?.attribute(Padding.self) == nil)
    }

    @Test func badChangeRequestLengthIsABadRequest() throws {
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: .random(),
            buffer: self.allocator.buffer(capacity: 64)
        )
        writer.appendRaw(type: .changeRequest, value: ByteBuffer(bytes: [0, 4]))
        let (response, route) = self.answer(try STUNMessage.decode(writer.finish()), endpoints: self.full)
        #expect(try response?.attribute(ErrorCodeAttribute.self)?.code == .badRequest)
        #expect(route.origin == nil)
    }
}
