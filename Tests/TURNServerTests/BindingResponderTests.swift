import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

@Suite struct BindingResponderTests {
    let responder = BindingResponder(software: "Switchboard test")
    let client = TransportAddress(ip: .v4(0xC000_0201), port: 32853)
    let clientV6 = TransportAddress(ip: .v6(0x2001_0db8_1234_5678, 0x0011_2233_4455_6677), port: 32853)
    let allocator = ByteBufferAllocator()

    private func request(
        method: STUNMethod = .binding,
        messageClass: STUNClass = .request,
        transactionID: STUNTransactionID = .random(),
        fingerprint: Bool = false,
        extra: [(STUNAttributeType, [UInt8])] = []
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: method, messageClass: messageClass),
            transactionID: transactionID,
            buffer: self.allocator.buffer(capacity: 64)
        )
        for (type, value) in extra {
            writer.appendRaw(type: type, value: ByteBuffer(bytes: value))
        }
        if fingerprint {
            writer.appendFingerprint()
        }
        return writer.finish()
    }

    private func respond(_ packet: ByteBuffer, from source: TransportAddress? = nil) -> BindingResponder.Action {
        self.responder.respond(to: packet, from: source ?? self.client, allocator: self.allocator)
    }

    private func decodedResponse(_ action: BindingResponder.Action) throws -> STUNMessage {
        guard case .respond(let bytes, _) = action else {
            Issue.record("expected a response, got \(action)")
            throw CancellationError()
        }
        return try STUNMessage.decode(bytes)
    }

    @Test(arguments: [false, true])
    func successCarriesBothMappedAddressesAndSoftware(fingerprint: Bool) throws {
        for source in [self.client, self.clientV6] {
            let transactionID = STUNTransactionID.random()
            let action = self.respond(
                self.request(transactionID: transactionID, fingerprint: fingerprint),
                from: source
            )
            guard case .respond(_, .success) = action else {
                Issue.record("expected success, got \(action)")
                return
            }
            let response = try self.decodedResponse(action)
            #expect(response.type == STUNMessageType(method: .binding, messageClass: .successResponse))
            #expect(response.transactionID == transactionID)
            #expect(try response.attribute(XORMappedAddress.self)?.address == source)
            #expect(try response.attribute(MappedAddress.self)?.address == source)
            #expect(try response.attribute(Software.self)?.value == "Switchboard test")
            #expect(response.hasFingerprint == fingerprint)
            if fingerprint {
                #expect(response.isFingerprintValid())
            }
        }
    }

    @Test func noSoftwareWhenNoneIsConfigured() throws {
        let quiet = BindingResponder(software: "")
        let action = quiet.respond(to: self.request(), from: self.client, allocator: self.allocator)
        let response = try self.decodedResponse(action)
        #expect(try response.attribute(Software.self) == nil)
    }

    @Test func unknownComprehensionRequiredAttributesGet420() throws {
        let action = self.respond(
            self.request(
                fingerprint: true,
                extra: [
                    (STUNAttributeType(rawValue: 0x7FF0), [1, 2, 3, 4]),
                    (STUNAttributeType(rawValue: 0xC001), [0, 0, 0, 0]),
                ]
            )
        )
        guard case .respond(_, .error(.unknownAttribute)) = action else {
            Issue.record("expected 420, got \(action)")
            return
        }
        let response = try self.decodedResponse(action)
        #expect(response.type.messageClass == .errorResponse)
        #expect(try response.attribute(ErrorCodeAttribute.self)?.code == .unknownAttribute)
        #expect(try response.attribute(UnknownAttributes.self)?.types == [STUNAttributeType(rawValue: 0x7FF0)])
        #expect(response.isFingerprintValid())
    }

    @Test func iceConnectivityCheckAttributesAreUnderstood() throws {
        let action = self.respond(
            self.request(extra: [(.priority, [0x6E, 0, 1, 0xFF]), (.useCandidate, []), (.username, Array("a:b".utf8))])
        )
        guard case .respond(_, .success) = action else {
            Issue.record("expected success, got \(action)")
            return
        }
    }

    @Test func malformedRequestGets400() throws {
        var packet = self.request()
        // Declare 8 bytes of attributes but carry an attribute header claiming 200 bytes of value.
        packet.setInteger(UInt16(8), at: 2)
        packet.writeInteger(UInt16(0x8022))
        packet.writeInteger(UInt16(200))
        packet.writeBytes([0, 0, 0, 0])
        let transactionID = STUNTransactionID(packet.getBytes(at: 8, length: 12)!)
        let action = self.respond(packet)
        guard case .respond(_, .error(.badRequest)) = action else {
            Issue.record("expected 400, got \(action)")
            return
        }
        let response = try self.decodedResponse(action)
        #expect(response.transactionID == transactionID)
        #expect(try response.attribute(ErrorCodeAttribute.self)?.code == .badRequest)
    }

    @Test func otherMethodsGet400() throws {
        let action = self.respond(self.request(method: .allocate))
        guard case .respond(_, .error(.badRequest)) = action else {
            Issue.record("expected 400, got \(action)")
            return
        }
        #expect(try self.decodedResponse(action).type.method == .allocate)
    }

    @Test func nonSTUNAndUnanswerablePacketsAreDropped() {
        let cases: [(ByteBuffer, BindingResponder.DropReason)] = [
            (ByteBuffer(), .notSTUN),
            (ByteBuffer(string: "hello world, this is not STUN"), .notSTUN),
            (ByteBuffer(bytes: [0x40, 0x00, 0x00, 0x04, 1, 2, 3, 4]), .channelData),
            (self.request(messageClass: .indication), .indication),
            (self.request(messageClass: .successResponse), .response),
            (self.request(messageClass: .errorResponse), .response),
        ]
        for (packet, reason) in cases {
            guard case .drop(let actual) = self.respond(packet) else {
                Issue.record("expected a drop for \(reason)")
                continue
            }
            #expect(actual == reason)
        }
    }

    @Test func badFingerprintIsDiscarded() {
        var packet = self.request(fingerprint: true)
        let last = packet.writerIndex - 1
        packet.setInteger(packet.getInteger(at: last, as: UInt8.self)! ^ 0xFF, at: last)
        guard case .drop(.badFingerprint) = self.respond(packet) else {
            Issue.record("expected the request to be discarded")
            return
        }
    }

    @Test func malformedNonRequestsAreDroppedNotAnswered() {
        var packet = self.request(messageClass: .indication)
        packet.setInteger(UInt16(8), at: 2)
        packet.writeBytes([0x80, 0x22, 0x00, 0xFF, 0, 0, 0, 0])
        guard case .drop(.malformed) = self.respond(packet) else {
            Issue.record("expected a drop")
            return
        }
    }

    /// Every prefix and every single-byte corruption of a valid request is handled without trapping, and
    /// anything answered is a well-formed STUN message.
    @Test func neverTrapsOnMutations() throws {
        let valid = self.request(
            fingerprint: true,
            extra: [(.username, Array("user".utf8)), (.priority, [1, 2, 3, 4])]
        )
        var generator = SystemRandomNumberGenerator()
        for length in 0...valid.readableBytes {
            if case .respond(let bytes, _) = self.respond(valid.getSlice(at: 0, length: length)!) {
                _ = try STUNMessage.decode(bytes)
            }
        }
        for _ in 0..<5000 {
            var mutated = valid
            let index = Int.random(in: 0..<mutated.readableBytes, using: &generator)
            mutated.setInteger(UInt8.random(in: 0...255, using: &generator), at: index)
            if case .respond(let bytes, _) = self.respond(mutated) {
                _ = try STUNMessage.decode(bytes)
            }
        }
    }
}
