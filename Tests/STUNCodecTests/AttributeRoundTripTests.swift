import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// One attribute value to write with ``STUNMessageWriter`` and read back.
struct AttributeCase: Sendable, CustomTestStringConvertible {
    let testDescription: String
    let run: @Sendable (STUNTransactionID) throws -> Void

    static func make<A: STUNAttributeDecodable & STUNAttributeEncodable & Equatable & Sendable>(
        _ name: String,
        _ attribute: A
    ) -> AttributeCase {
        AttributeCase(testDescription: name) { transactionID in
            // Through a whole message, with padding, another attribute and (except after FINGERPRINT itself) a
            // fingerprint after it.
            let isFingerprint = A.attributeType == .fingerprint
            let marker = STUNAttributeType(rawValue: 0xFEED)
            var writer = STUNMessageWriter(type: .bindingRequest, transactionID: transactionID, buffer: ByteBuffer())
            writer.paddingByte = 0xFF
            writer.append(attribute)
            writer.appendRaw(type: marker, value: ByteBuffer(string: "after"))
            if !isFingerprint {
                writer.appendFingerprint()
            }
            let message = try STUNMessage.decode(writer.finish())
            #expect(message.attributes.first?.type == A.attributeType)
            #expect(try message.attribute(A.self) == attribute)
            #expect(try message.attributes(A.self) == [attribute])
            #expect(message.rawAttribute(marker)?.value == ByteBuffer(string: "after"))
            #expect(message.isFingerprintValid() == !isFingerprint)

            // Value only.
            var value = ByteBuffer()
            attribute.encode(into: &value, transactionID: transactionID)
            #expect(try A(decoding: value, transactionID: transactionID) == attribute)
        }
    }
}

@Suite struct AttributeRoundTripTests {
    static let ipv4 = TransportAddress(ip: .v4(0xC000_0201), port: 32853)
    static let ipv6 = TransportAddress(ip: .v6(0x2001_0DB8_1234_5678, 0x0011_2233_4455_6677), port: 3478)
    static let ipv4Edge = TransportAddress(ip: .v4(0xFFFF_FFFF), port: 0)
    static let ipv6Edge = TransportAddress(ip: .v6(0, 1), port: 65535)

    static let cases: [AttributeCase] = {
        var cases = [AttributeCase]()
        for (label, address) in [("IPv4", ipv4), ("IPv6", ipv6), ("IPv4 edge", ipv4Edge), ("IPv6 edge", ipv6Edge)] {
            cases += [
                .make("MAPPED-ADDRESS \(label)", MappedAddress(address: address)),
                .make("XOR-MAPPED-ADDRESS \(label)", XORMappedAddress(address: address)),
                .make("XOR-PEER-ADDRESS \(label)", XORPeerAddress(address: address)),
                .make("XOR-RELAYED-ADDRESS \(label)", XORRelayedAddress(address: address)),
                .make("ALTERNATE-SERVER \(label)", AlternateServer(address: address)),
                .make("RESPONSE-ORIGIN \(label)", ResponseOrigin(address: address)),
                .make("OTHER-ADDRESS \(label)", OtherAddress(address: address)),
            ]
        }
        cases += [
            .make("USERNAME ascii", Username("alice")),
            .make("USERNAME unicode", Username(STUNVectors.longTermUsername)),
            .make("USERNAME empty", Username("")),
            .make("USERNAME 513 bytes", Username(String(repeating: "u", count: 513))),
            .make("REALM", Realm("example.org")),
            .make("NONCE", Nonce("obMatJos2AAACf//499k954d6OL34oL9FSTvy64sA")),
            .make("SOFTWARE", Software("switchboard 1.0 \u{1F680}")),
            .make("ALTERNATE-DOMAIN", AlternateDomain("turn.example.org")),
            .make("ERROR-CODE 300", ErrorCodeAttribute(code: .tryAlternate)),
            .make("ERROR-CODE 401", ErrorCodeAttribute(code: .unauthenticated, reasonPhrase: "Unauthorized")),
            .make("ERROR-CODE 438", ErrorCodeAttribute(code: .staleNonce)),
            .make("ERROR-CODE 699 empty", ErrorCodeAttribute(code: STUNErrorCode(rawValue: 699), reasonPhrase: "")),
            .make("UNKNOWN-ATTRIBUTES empty", UnknownAttributes(types: [])),
            .make(
                "UNKNOWN-ATTRIBUTES odd",
                UnknownAttributes(types: [.priority, .changeRequest, .init(rawValue: 0x7FFF)])
            ),
            .make("UNKNOWN-ATTRIBUTES even", UnknownAttributes(types: [.evenPort, .dontFragment])),
            .make("FINGERPRINT value", Fingerprint(value: 0xDEAD_BEEF)),
            .make("PASSWORD-ALGORITHM MD5", PasswordAlgorithm(algorithm: .md5)),
            .make(
                "PASSWORD-ALGORITHM params",
                PasswordAlgorithm(algorithm: .init(rawValue: 0x1234), parameters: [1, 2, 3])
            ),
            .make(
                "PASSWORD-ALGORITHMS",
                PasswordAlgorithms([
                    PasswordAlgorithm(algorithm: .sha256),
                    PasswordAlgorithm(algorithm: .init(rawValue: 7), parameters: [9, 9, 9, 9, 9]),
                    PasswordAlgorithm(algorithm: .md5),
                ])
            ),
            .make("PASSWORD-ALGORITHMS empty", PasswordAlgorithms([])),
            .make("USERHASH", Userhash(hash: Array(0..<32))),
            .make("PRIORITY", Priority(0x6E00_01FF)),
            .make("USE-CANDIDATE", UseCandidate()),
            .make("ICE-CONTROLLED", ICEControlled(tieBreaker: 0x932F_F9B1_5126_3B36)),
            .make("ICE-CONTROLLING", ICEControlling(tieBreaker: .max)),
            .make("CHANGE-REQUEST none", ChangeRequest(changeIP: false, changePort: false)),
            .make("CHANGE-REQUEST both", ChangeRequest(changeIP: true, changePort: true)),
            .make("CHANGE-REQUEST port", ChangeRequest(changeIP: false, changePort: true)),
            .make("RESPONSE-PORT", ResponsePort(port: 40000)),
            .make("RESPONSE-PORT 0", ResponsePort(port: 0)),
            .make("PADDING empty", Padding(length: 0)),
            .make("PADDING 1500 bytes", Padding(length: 1500)),
            .make("CHANNEL-NUMBER", ChannelNumber(0x4001)),
            .make("CHANNEL-NUMBER out of range", ChannelNumber(0x7FFF)),
            .make("LIFETIME", Lifetime(seconds: 600)),
            .make("DATA empty", DataAttribute(ByteBuffer())),
            .make("DATA 5 bytes", DataAttribute(ByteBuffer(string: "hello"))),
            .make("DATA 1200 bytes", DataAttribute(ByteBuffer(repeating: 0x5A, count: 1200))),
            .make("REQUESTED-TRANSPORT UDP", RequestedTransport.udp),
            .make("REQUESTED-TRANSPORT TCP", RequestedTransport.tcp),
            .make("DONT-FRAGMENT", DontFragment()),
            .make("EVEN-PORT R", EvenPort(reserveNextHigherPort: true)),
            .make("EVEN-PORT", EvenPort(reserveNextHigherPort: false)),
            .make("RESERVATION-TOKEN", ReservationToken(0x0102_0304_0506_0708)),
            .make("CONNECTION-ID", ConnectionID(0xDEAD_BEEF)),
            .make("REQUESTED-ADDRESS-FAMILY IPv4", RequestedAddressFamily(.ipv4)),
            .make("REQUESTED-ADDRESS-FAMILY IPv6", RequestedAddressFamily(.ipv6)),
            .make("ADDITIONAL-ADDRESS-FAMILY IPv6", AdditionalAddressFamily(.ipv6)),
            .make(
                "ADDRESS-ERROR-CODE",
                AddressErrorCode(family: .ipv6, code: .insufficientCapacity, reasonPhrase: "Insufficient Capacity")
            ),
            .make(
                "ADDRESS-ERROR-CODE v4",
                AddressErrorCode(family: .ipv4, code: .addressFamilyNotSupported, reasonPhrase: "")
            ),
            .make("ICMP", ICMP(type: 3, code: 4, errorData: 1400)),
            .make("ICMP max", ICMP(type: 127, code: 511, errorData: .max)),
        ]
        return cases
    }()

    static let transactionIDs = [
        STUNTransactionID(hexBytes("b7e7a701bc34d686fa87dfae")),
        STUNTransactionID([UInt8](repeating: 0, count: 12)),
        STUNTransactionID([UInt8](repeating: 0xFF, count: 12)),
    ]

    @Test(arguments: cases, transactionIDs)
    func roundTrip(_ attributeCase: AttributeCase, transactionID: STUNTransactionID) throws {
        try attributeCase.run(transactionID)
    }

    // MARK: - Wire layouts

    @Test func xorAddressesObfuscateTheWireBytes() {
        var plain = ByteBuffer()
        MappedAddress(address: Self.ipv4).encode(into: &plain, transactionID: STUNVectors.responseTransactionID)
        #expect(hexString(plain.readableBytesView) == "00018055c0000201")
        var xored = ByteBuffer()
        XORMappedAddress(address: Self.ipv4).encode(into: &xored, transactionID: STUNVectors.responseTransactionID)
        #expect(hexString(xored.readableBytesView) == "0001a147e112a643")
    }

    @Test func ipv6XORDependsOnTheTransactionID() throws {
        let first = STUNTransactionID([UInt8](repeating: 1, count: 12))
        let second = STUNTransactionID([UInt8](repeating: 2, count: 12))
        var a = ByteBuffer()
        var b = ByteBuffer()
        XORPeerAddress(address: Self.ipv6).encode(into: &a, transactionID: first)
        XORPeerAddress(address: Self.ipv6).encode(into: &b, transactionID: second)
        #expect(a != b)
        #expect(try XORPeerAddress(decoding: a, transactionID: first).address == Self.ipv6)
        #expect(try XORPeerAddress(decoding: b, transactionID: second).address == Self.ipv6)
        #expect(try XORPeerAddress(decoding: a, transactionID: second).address != Self.ipv6)
    }

    @Test func errorCodeLayout() throws {
        var buffer = ByteBuffer()
        ErrorCodeAttribute(code: .staleNonce, reasonPhrase: "Stale Nonce").encode(
            into: &buffer,
            transactionID: STUNVectors.responseTransactionID
        )
        #expect(hexString(buffer.readableBytesView.prefix(4)) == "00000426")
        #expect(ErrorCodeAttribute(code: .badRequest).reasonPhrase == "Bad Request")
    }

    @Test func fixedLayouts() {
        let transactionID = STUNVectors.responseTransactionID
        func encoded(_ attribute: some STUNAttributeEncodable) -> String {
            var buffer = ByteBuffer()
            attribute.encode(into: &buffer, transactionID: transactionID)
            return hexString(buffer.readableBytesView)
        }
        #expect(encoded(ChannelNumber(0x4001)) == "40010000")
        #expect(encoded(Lifetime(seconds: 600)) == "00000258")
        #expect(encoded(ConnectionID(0x0102_0304)) == "01020304")
        #expect(encoded(RequestedTransport.udp) == "11000000")
        #expect(encoded(EvenPort(reserveNextHigherPort: true)) == "80")
        #expect(encoded(RequestedAddressFamily(.ipv6)) == "02000000")
        #expect(encoded(DontFragment()) == "")
        #expect(encoded(AddressErrorCode(family: .ipv6, code: .insufficientCapacity, reasonPhrase: "")) == "02000508")
        #expect(encoded(ICMP(type: 3, code: 4, errorData: 0)) == "0000060400000000")
        #expect(encoded(PasswordAlgorithms([.init(algorithm: .md5), .init(algorithm: .sha256)])) == "0001000000020000")
        #expect(encoded(PasswordAlgorithm(algorithm: .init(rawValue: 3), parameters: [0xAA])) == "00030001aa000000")
        #expect(encoded(ChangeRequest(changeIP: true, changePort: false)) == "00000004")
        #expect(encoded(ChangeRequest(changeIP: false, changePort: true)) == "00000002")
        #expect(encoded(ResponsePort(port: 0x1234)) == "12340000")
        #expect(encoded(Padding(length: 5)) == "0000000000000000")
        #expect(encoded(UnknownAttributes(types: [.priority, .fingerprint])) == "00248028")
    }

    @Test func propertyAliases() {
        var channel = ChannelNumber(0x4001)
        #expect(channel.number == 0x4001 && channel.value == 0x4001 && channel.isValid)
        channel.value = 0x5000
        #expect(channel.number == 0x5000 && !channel.isValid)
        var token = ReservationToken(7)
        #expect(token.token == 7 && token.value == 7)
        token.value = 8
        #expect(token.token == 8)
    }

    @Test func repeatedAttributesAreAllReturnedInOrder() throws {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .createPermission, messageClass: .request),
            transactionID: STUNVectors.responseTransactionID,
            buffer: ByteBuffer()
        )
        writer.append(XORPeerAddress(address: Self.ipv4))
        writer.append(XORPeerAddress(address: Self.ipv6))
        writer.append(XORPeerAddress(address: Self.ipv4Edge))
        let message = try STUNMessage.decode(writer.finish())
        #expect(try message.attributes(XORPeerAddress.self).map(\.address) == [Self.ipv4, Self.ipv6, Self.ipv4Edge])
        #expect(try message.attribute(XORPeerAddress.self)?.address == Self.ipv4)
        #expect(try message.attributes(Lifetime.self).isEmpty)
        #expect(try message.attribute(Lifetime.self) == nil)
    }

    // MARK: - Invalid values

    struct InvalidCase: Sendable, CustomTestStringConvertible {
        let testDescription: String
        let type: STUNAttributeType
        let value: [UInt8]
        let decode: @Sendable (ByteBuffer) throws(STUNCodecError) -> Void

        static func make<A: STUNAttributeDecodable & SendableMetatype>(
            _ attribute: A.Type,
            _ hex: String,
            _ name: String
        ) -> InvalidCase {
            InvalidCase(testDescription: "\(A.attributeType) \(name)", type: A.attributeType, value: hexBytes(hex)) {
                (value: ByteBuffer) throws(STUNCodecError) -> Void in
                _ = try A(decoding: value, transactionID: STUNVectors.responseTransactionID)
            }
        }
    }

    static let invalidCases: [InvalidCase] = [
        .make(XORMappedAddress.self, "", "empty"),
        .make(XORMappedAddress.self, "0001a147", "no address"),
        .make(XORMappedAddress.self, "0001a147e112a64300", "IPv4 too long"),
        .make(MappedAddress.self, "0002a147e112a643", "IPv6 family with IPv4 length"),
        .make(XORPeerAddress.self, "0001a147e112a6", "IPv4 truncated"),
        .make(Username.self, String(repeating: "61", count: 764), "too long"),
        .make(Username.self, "ff", "invalid UTF-8"),
        .make(Realm.self, "c3", "truncated UTF-8"),
        .make(Nonce.self, "eda080", "surrogate in UTF-8"),
        .make(Software.self, String(repeating: "61", count: 764), "too long"),
        .make(ErrorCodeAttribute.self, "000004", "too short"),
        .make(ErrorCodeAttribute.self, "00000200", "class 2"),
        .make(ErrorCodeAttribute.self, "00000700", "class 7"),
        .make(ErrorCodeAttribute.self, "00000464", "number 100"),
        .make(ErrorCodeAttribute.self, "00000400ff", "invalid UTF-8 reason"),
        .make(UnknownAttributes.self, "000100", "odd length"),
        .make(MessageIntegrity.self, "00", "short"),
        .make(MessageIntegritySHA256.self, String(repeating: "00", count: 40), "long"),
        .make(Fingerprint.self, "000000", "short"),
        .make(PasswordAlgorithm.self, "0001", "short"),
        .make(PasswordAlgorithm.self, "00010008aabb", "parameters overrun"),
        .make(PasswordAlgorithms.self, "0001000000", "trailing byte"),
        .make(Userhash.self, "00", "short"),
        .make(Priority.self, "000000", "short"),
        .make(UseCandidate.self, "00", "not empty"),
        .make(ICEControlled.self, "00000000", "short"),
        .make(ICEControlling.self, "0000000000000000000000", "long"),
        .make(ChangeRequest.self, "00", "short"),
        .make(ResponsePort.self, "1234", "short"),
        .make(ResponsePort.self, "1234000000", "long"),
        .make(ChannelNumber.self, "4001", "short"),
        .make(Lifetime.self, "0000025800", "long"),
        .make(RequestedTransport.self, "11", "short"),
        .make(DontFragment.self, "00000000", "not empty"),
        .make(EvenPort.self, "", "empty"),
        .make(EvenPort.self, "80000000", "padded"),
        .make(ReservationToken.self, "00", "short"),
        .make(ConnectionID.self, "000001", "short"),
        .make(ConnectionID.self, "0000000100", "long"),
        .make(RequestedAddressFamily.self, "01", "short"),
        .make(AdditionalAddressFamily.self, "", "empty"),
        .make(AddressErrorCode.self, "01", "short"),
        .make(AddressErrorCode.self, "01000209", "class 2"),
        .make(ICMP.self, "00", "short"),
    ]

    @Test(arguments: invalidCases)
    func invalidValuesThrow(_ invalidCase: InvalidCase) {
        #expect(throws: STUNCodecError.invalidAttributeValue(invalidCase.type)) {
            try invalidCase.decode(ByteBuffer(bytes: invalidCase.value))
        }
        do {
            try invalidCase.decode(ByteBuffer(bytes: invalidCase.value))
        } catch {
            #expect(error.attributeType == invalidCase.type)
        }
    }

    static let unsupportedFamilyCases: [InvalidCase] = [
        .make(XORMappedAddress.self, "0003a147e112a643", "family 3"),
        .make(MappedAddress.self, "0000a147e112a643", "family 0"),
        .make(RequestedAddressFamily.self, "03000000", "family 3"),
        .make(AdditionalAddressFamily.self, "00000000", "family 0"),
        .make(AddressErrorCode.self, "03000508", "family 3"),
    ]

    @Test(arguments: unsupportedFamilyCases)
    func unsupportedFamiliesThrow(_ invalidCase: InvalidCase) {
        #expect(throws: STUNCodecError.unsupportedAddressFamily(invalidCase.type)) {
            try invalidCase.decode(ByteBuffer(bytes: invalidCase.value))
        }
    }

    @Test func reservedBitsAreIgnored() throws {
        let transactionID = STUNVectors.responseTransactionID
        #expect(
            try ChannelNumber(decoding: hexBuffer("4001ffff"), transactionID: transactionID) == ChannelNumber(0x4001)
        )
        #expect(try RequestedTransport(decoding: hexBuffer("11ffffff"), transactionID: transactionID) == .udp)
        #expect(try EvenPort(decoding: hexBuffer("ff"), transactionID: transactionID).reserveNextHigherPort)
        #expect(
            try ErrorCodeAttribute(decoding: hexBuffer("fffffc01"), transactionID: transactionID).code
                == STUNErrorCode(rawValue: 401)
        )
        #expect(
            try MappedAddress(decoding: hexBuffer("ff018055c0000201"), transactionID: transactionID).address
                == Self.ipv4
        )
    }
}
