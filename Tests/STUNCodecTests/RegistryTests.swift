import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// Registry constants against the IANA STUN parameter tables, and the message type bit layout.
@Suite struct RegistryTests {
    @Test func messageTypeWireValues() {
        func raw(_ method: STUNMethod, _ messageClass: STUNClass) -> UInt16 {
            STUNMessageType(method: method, messageClass: messageClass).rawValue
        }
        #expect(raw(.binding, .request) == 0x0001)
        #expect(raw(.binding, .indication) == 0x0011)
        #expect(raw(.binding, .successResponse) == 0x0101)
        #expect(raw(.binding, .errorResponse) == 0x0111)
        #expect(raw(.allocate, .request) == 0x0003)
        #expect(raw(.allocate, .successResponse) == 0x0103)
        #expect(raw(.allocate, .errorResponse) == 0x0113)
        #expect(raw(.refresh, .request) == 0x0004)
        #expect(raw(.send, .indication) == 0x0016)
        #expect(raw(.data, .indication) == 0x0017)
        #expect(raw(.createPermission, .request) == 0x0008)
        #expect(raw(.createPermission, .successResponse) == 0x0108)
        #expect(raw(.channelBind, .request) == 0x0009)
        #expect(raw(.channelBind, .errorResponse) == 0x0119)
        #expect(raw(.connect, .request) == 0x000A)
        #expect(raw(.connect, .successResponse) == 0x010A)
        #expect(raw(.connectionBind, .request) == 0x000B)
        #expect(raw(.connectionBind, .errorResponse) == 0x011B)
        #expect(raw(.connectionAttempt, .indication) == 0x001C)
        #expect(raw(STUNMethod(rawValue: 0xFFF), .errorResponse) == 0x3FFF)
        #expect(raw(STUNMethod(rawValue: 0xFFF), .request) == 0x3EEF)
    }

    @Test func messageTypeRoundTripsEvery14BitValue() throws {
        for raw in UInt16(0)..<0x4000 {
            let type = try #require(STUNMessageType(rawValue: raw))
            #expect(type.rawValue == raw)
            #expect(STUNMessageType(method: type.method, messageClass: type.messageClass) == type)
        }
        #expect(STUNMessageType(rawValue: 0x4000) == nil)
        #expect(STUNMessageType(rawValue: 0x8001) == nil)
        #expect(STUNMessageType(rawValue: 0xFFFF) == nil)
    }

    @Test func messageTypeHelpers() {
        let request = STUNMessageType(method: .allocate, messageClass: .request)
        #expect(request.successResponse == STUNMessageType(method: .allocate, messageClass: .successResponse))
        #expect(request.errorResponse.rawValue == 0x0113)
        #expect(request.description == "Allocate request")
        #expect(STUNMessageType.bindingIndication.rawValue == 0x0011)
        #expect(STUNMethod(rawValue: 0x0AB).description == "Method(0xAB)")
        #expect(STUNMethod.connectionAttempt.description == "ConnectionAttempt")
    }

    @Test func attributeTypes() {
        let expected: [(STUNAttributeType, UInt16, String)] = [
            (.mappedAddress, 0x0001, "MAPPED-ADDRESS"), (.changeRequest, 0x0003, "CHANGE-REQUEST"),
            (.username, 0x0006, "USERNAME"), (.messageIntegrity, 0x0008, "MESSAGE-INTEGRITY"),
            (.errorCode, 0x0009, "ERROR-CODE"), (.unknownAttributes, 0x000A, "UNKNOWN-ATTRIBUTES"),
            (.channelNumber, 0x000C, "CHANNEL-NUMBER"), (.lifetime, 0x000D, "LIFETIME"),
            (.xorPeerAddress, 0x0012, "XOR-PEER-ADDRESS"), (.data, 0x0013, "DATA"), (.realm, 0x0014, "REALM"),
            (.nonce, 0x0015, "NONCE"), (.xorRelayedAddress, 0x0016, "XOR-RELAYED-ADDRESS"),
            (.requestedAddressFamily, 0x0017, "REQUESTED-ADDRESS-FAMILY"), (.evenPort, 0x0018, "EVEN-PORT"),
            (.requestedTransport, 0x0019, "REQUESTED-TRANSPORT"), (.dontFragment, 0x001A, "DONT-FRAGMENT"),
            (.messageIntegritySHA256, 0x001C, "MESSAGE-INTEGRITY-SHA256"),
            (.passwordAlgorithm, 0x001D, "PASSWORD-ALGORITHM"), (.userhash, 0x001E, "USERHASH"),
            (.xorMappedAddress, 0x0020, "XOR-MAPPED-ADDRESS"), (.reservationToken, 0x0022, "RESERVATION-TOKEN"),
            (.priority, 0x0024, "PRIORITY"), (.useCandidate, 0x0025, "USE-CANDIDATE"),
            (.padding, 0x0026, "PADDING"), (.responsePort, 0x0027, "RESPONSE-PORT"),
            (.connectionID, 0x002A, "CONNECTION-ID"),
            (.additionalAddressFamily, 0x8000, "ADDITIONAL-ADDRESS-FAMILY"),
            (.addressErrorCode, 0x8001, "ADDRESS-ERROR-CODE"), (.passwordAlgorithms, 0x8002, "PASSWORD-ALGORITHMS"),
            (.alternateDomain, 0x8003, "ALTERNATE-DOMAIN"), (.icmp, 0x8004, "ICMP"), (.software, 0x8022, "SOFTWARE"),
            (.alternateServer, 0x8023, "ALTERNATE-SERVER"), (.fingerprint, 0x8028, "FINGERPRINT"),
            (.iceControlled, 0x8029, "ICE-CONTROLLED"), (.iceControlling, 0x802A, "ICE-CONTROLLING"),
            (.responseOrigin, 0x802B, "RESPONSE-ORIGIN"), (.otherAddress, 0x802C, "OTHER-ADDRESS"),
        ]
        for (type, raw, name) in expected {
            #expect(type.rawValue == raw)
            #expect(type.description == name)
            #expect(type.isComprehensionRequired == (raw < 0x8000))
        }
        #expect(STUNAttributeType(rawValue: 0x00AB).description == "0x00AB")
        #expect(STUNAttributeType(rawValue: 0x7FFF).isComprehensionRequired)
        #expect(!STUNAttributeType(rawValue: 0x8000).isComprehensionRequired)
    }

    @Test func attributeCodecsUseTheirTypes() {
        #expect(MappedAddress.attributeType == .mappedAddress)
        #expect(XORMappedAddress.attributeType == .xorMappedAddress)
        #expect(XORPeerAddress.attributeType == .xorPeerAddress)
        #expect(XORRelayedAddress.attributeType == .xorRelayedAddress)
        #expect(Username.attributeType == .username)
        #expect(Realm.attributeType == .realm)
        #expect(Nonce.attributeType == .nonce)
        #expect(Software.attributeType == .software)
        #expect(ErrorCodeAttribute.attributeType == .errorCode)
        #expect(UnknownAttributes.attributeType == .unknownAttributes)
        #expect(MessageIntegrity.attributeType == .messageIntegrity)
        #expect(MessageIntegritySHA256.attributeType == .messageIntegritySHA256)
        #expect(Fingerprint.attributeType == .fingerprint)
        #expect(ChannelNumber.attributeType == .channelNumber)
        #expect(Lifetime.attributeType == .lifetime)
        #expect(DataAttribute.attributeType == .data)
        #expect(RequestedTransport.attributeType == .requestedTransport)
        #expect(DontFragment.attributeType == .dontFragment)
        #expect(EvenPort.attributeType == .evenPort)
        #expect(ReservationToken.attributeType == .reservationToken)
        #expect(ConnectionID.attributeType == .connectionID)
        #expect(RequestedAddressFamily.attributeType == .requestedAddressFamily)
        #expect(AdditionalAddressFamily.attributeType == .additionalAddressFamily)
        #expect(AddressErrorCode.attributeType == .addressErrorCode)
        #expect(ICMP.attributeType == .icmp)
        #expect(PasswordAlgorithm.attributeType == .passwordAlgorithm)
        #expect(PasswordAlgorithms.attributeType == .passwordAlgorithms)
        #expect(Userhash.attributeType == .userhash)
    }

    @Test func errorCodes() {
        let expected: [(STUNErrorCode, UInt16)] = [
            (.tryAlternate, 300), (.badRequest, 400), (.unauthenticated, 401), (.forbidden, 403),
            (.unknownAttribute, 420), (.allocationMismatch, 437), (.staleNonce, 438),
            (.addressFamilyNotSupported, 440), (.wrongCredentials, 441), (.unsupportedTransportProtocol, 442),
            (.peerAddressFamilyMismatch, 443), (.connectionAlreadyExists, 446), (.connectionTimeoutOrFailure, 447),
            (.allocationQuotaReached, 486), (.serverError, 500),
            (.insufficientCapacity, 508),
        ]
        for (code, raw) in expected {
            #expect(code.rawValue == raw)
            #expect(code.errorClass == UInt8(raw / 100))
            #expect(code.number == UInt8(raw % 100))
            #expect(!code.defaultReasonPhrase.hasPrefix("Error"))
        }
        #expect(STUNErrorCode.staleNonce.defaultReasonPhrase == "Stale Nonce")
        #expect(STUNErrorCode(rawValue: 699).defaultReasonPhrase == "Error 699")
    }

    @Test func passwordAlgorithms() {
        #expect(STUNPasswordAlgorithm.md5.rawValue == 1)
        #expect(STUNPasswordAlgorithm.sha256.rawValue == 2)
        #expect(STUNAddressFamily.ipv4.rawValue == 1)
        #expect(STUNAddressFamily.ipv6.rawValue == 2)
        #expect(RequestedTransport.udp.protocolNumber == 17)
        #expect(RequestedTransport.tcp.protocolNumber == 6)
    }

    @Test func transactionID() {
        let bytes = hexBytes("b7e7a701bc34d686fa87dfae")
        let transactionID = STUNTransactionID(bytes)
        #expect(transactionID.bytes == bytes)
        #expect(transactionID.description == "b7e7a701bc34d686fa87dfae")
        #expect(STUNTransactionID(bytes[...]) == transactionID)
        #expect(STUNTransactionID([UInt8](repeating: 0, count: 12)).description == String(repeating: "0", count: 24))
        #expect(STUNTransactionID.random() != STUNTransactionID.random())
        #expect(Set((0..<100).map { _ in STUNTransactionID.random() }).count == 100)
    }

    @Test func errorDescriptions() {
        #expect(STUNCodecError.truncatedHeader.description.contains("truncated"))
        #expect(STUNCodecError.invalidAttributeValue(.lifetime).description.contains("LIFETIME"))
        #expect(STUNCodecError.invalidAttributeValue(.lifetime) == .invalidAttributeValue(.realm))
        #expect(STUNCodecError.invalidAttributeValue(.lifetime).attributeType == .lifetime)
        #expect(STUNCodecError.truncatedHeader != .badMagicCookie)
        #expect(Set([STUNCodecError.notSTUN, .notSTUN, .lengthMismatch]).count == 2)
    }
}
