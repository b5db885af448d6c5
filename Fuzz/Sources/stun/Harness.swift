import FuzzSupport
import NIOCore
import STUNCodec

/// `scripts/fuzz stun`: STUN messages (RFC 8489 §5, §14) through `STUNMessage.decode`, every typed attribute
/// decoder, the MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT checks and the UNKNOWN-ATTRIBUTES list.
///
/// Each input is tried as it is and, when it has a header's worth of bytes, once more with a valid header (top bits,
/// magic cookie and length patched in), so that mutations spend their time in the attributes. Properties checked on
/// every message that decodes:
/// - its frame length (header length field) is the input's length;
/// - re-encoding its raw attributes decodes to the same type, transaction ID and attributes;
/// - each typed attribute that decodes re-encodes to a value that decodes equal;
/// - the unknown-attribute list has each unknown comprehension-required type once, in order of first appearance;
/// - signing its attributes with MESSAGE-INTEGRITY, MESSAGE-INTEGRITY-SHA256 and FINGERPRINT gives a message whose
///   three checks pass with the key, fail with another key, and fail once any signed byte changes.
@main
enum STUNHarness {
    static let key: [UInt8] = Array("VOkJxbRl1RmTxUk/WvJxBt".utf8)
    static let otherKey: [UInt8] = Array("VOkJxbRl1RmTxUk/WvJxBu".utf8)

    static func main() {
        FuzzDriver.run { bytes in
            STUNHarness.check(ByteBuffer(bytes: bytes))
            if bytes.count >= STUNMessage.headerLength {
                STUNHarness.check(STUNHarness.withValidHeader(bytes))
            }
        }
    }

    /// The input with bytes 0-1 given a top-two-bits-zero type, the magic cookie at 4-7, and the length field
    /// counting the bytes after the header (cut to a multiple of 4, at most 65532).
    static func withValidHeader(_ bytes: UnsafeRawBufferPointer) -> ByteBuffer {
        let bodyLength = min((bytes.count - STUNMessage.headerLength) & ~3, 65532)
        var buffer = ByteBuffer(bytes: bytes.prefix(STUNMessage.headerLength + bodyLength))
        buffer.setInteger(bytes[0] & 0x3F, at: 0)
        buffer.setInteger(UInt16(bodyLength), at: 2)
        buffer.setInteger(STUNMessage.magicCookie, at: 4)
        return buffer
    }

    static func check(_ buffer: ByteBuffer) {
        _ = PacketDemultiplexer.classify(buffer)
        _ = PacketDemultiplexer.classify(buffer, acceptingRFC5766Channels: true)
        guard let message = try? STUNMessage.decode(buffer) else {
            return
        }
        // RFC 7983 §7 gives streams first bytes 0-3 only; a decodable message with a larger method is not framed.
        let isStreamFramed = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)! <= 3
        FuzzDriver.check(
            PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: false)
                == (isStreamFramed ? .stun(length: buffer.readableBytes) : .invalid),
            "stream framing disagrees with the decoder on a decoded message"
        )
        Self.checkRawReencoding(message)
        Self.checkTypedAttributes(message)
        Self.checkUnknownAttributes(message)
        _ = message.isFingerprintValid()
        _ = message.isMessageIntegrityValid(key: Self.key)
        _ = message.isMessageIntegritySHA256Valid(key: Self.key)
        Self.checkSigning(message)
    }

    static func checkRawReencoding(_ message: STUNMessage) {
        var writer = STUNMessageWriter(type: message.type, transactionID: message.transactionID, buffer: ByteBuffer())
        for attribute in message.attributes {
            writer.appendRaw(type: attribute.type, value: attribute.value)
        }
        let again = try? STUNMessage.decode(writer.finish())
        FuzzDriver.check(again != nil, "re-encoded message does not decode")
        FuzzDriver.check(again?.type == message.type, "type changed in re-encoding")
        FuzzDriver.check(again?.transactionID == message.transactionID, "transaction ID changed in re-encoding")
        FuzzDriver.check(again?.attributes == message.attributes, "attributes changed in re-encoding")
    }

    static func checkTypedAttributes(_ message: STUNMessage) {
        Self.roundTrip(MappedAddress.self, message)
        Self.roundTrip(XORMappedAddress.self, message)
        Self.roundTrip(XORPeerAddress.self, message)
        Self.roundTrip(XORRelayedAddress.self, message)
        Self.roundTrip(AlternateServer.self, message)
        Self.roundTrip(ResponseOrigin.self, message)
        Self.roundTrip(OtherAddress.self, message)
        Self.roundTrip(AlternateDomain.self, message)
        Self.roundTrip(Username.self, message)
        Self.roundTrip(Userhash.self, message)
        Self.roundTrip(Realm.self, message)
        Self.roundTrip(Nonce.self, message)
        Self.roundTrip(Software.self, message)
        Self.roundTrip(ErrorCodeAttribute.self, message)
        Self.roundTrip(UnknownAttributes.self, message)
        Self.roundTrip(PasswordAlgorithm.self, message)
        Self.roundTrip(PasswordAlgorithms.self, message)
        Self.roundTrip(Priority.self, message)
        Self.roundTrip(UseCandidate.self, message)
        Self.roundTrip(ICEControlled.self, message)
        Self.roundTrip(ICEControlling.self, message)
        Self.roundTrip(ChangeRequest.self, message)
        Self.roundTrip(ChannelNumber.self, message)
        Self.roundTrip(Lifetime.self, message)
        Self.roundTrip(DataAttribute.self, message)
        Self.roundTrip(RequestedTransport.self, message)
        Self.roundTrip(DontFragment.self, message)
        Self.roundTrip(EvenPort.self, message)
        Self.roundTrip(ReservationToken.self, message)
        Self.roundTrip(RequestedAddressFamily.self, message)
        Self.roundTrip(AdditionalAddressFamily.self, message)
        Self.roundTrip(AddressErrorCode.self, message)
        Self.roundTrip(ICMP.self, message)
        Self.roundTrip(Fingerprint.self, message)
        _ = try? message.attribute(MessageIntegrity.self)
        _ = try? message.attribute(MessageIntegritySHA256.self)
    }

    /// Every occurrence of `A` that decodes, written alone into a new message, decodes to an equal value.
    static func roundTrip<A: STUNAttributeDecodable & STUNAttributeEncodable & Equatable>(
        _ type: A.Type,
        _ message: STUNMessage
    ) {
        for raw in message.attributes where raw.type == A.attributeType {
            guard let value = try? A(decoding: raw.value, transactionID: message.transactionID) else {
                continue
            }
            var writer = STUNMessageWriter(
                type: message.type,
                transactionID: message.transactionID,
                buffer: ByteBuffer()
            )
            writer.append(value)
            let again = try? STUNMessage.decode(writer.finish()).attribute(A.self)
            FuzzDriver.check(again == value, "\(A.self) does not survive encode and decode: \(value)")
        }
    }

    static func checkUnknownAttributes(_ message: STUNMessage) {
        let understood: Set<STUNAttributeType> = [.username, .messageIntegrity, .fingerprint, .xorPeerAddress]
        let unknown = message.unknownComprehensionRequiredAttributes(understood: understood)
        var expected: [STUNAttributeType] = []
        var seen = Set<STUNAttributeType>()
        for attribute in message.attributes
        where attribute.type.isComprehensionRequired && !understood.contains(attribute.type) {
            if seen.insert(attribute.type).inserted {
                expected.append(attribute.type)
            }
        }
        FuzzDriver.check(unknown == expected, "unknown attributes \(unknown) instead of \(expected)")
    }

    /// Signs the attributes that come before any integrity attribute or FINGERPRINT and checks the result.
    static func checkSigning(_ message: STUNMessage) {
        let signedTypes: Set<STUNAttributeType> = [.messageIntegrity, .messageIntegritySHA256, .fingerprint]
        var writer = STUNMessageWriter(type: message.type, transactionID: message.transactionID, buffer: ByteBuffer())
        var length = 0
        for attribute in message.attributes {
            if signedTypes.contains(attribute.type) {
                break
            }
            length += 4 + ((attribute.value.readableBytes + 3) & ~3)
            writer.appendRaw(type: attribute.type, value: attribute.value)
        }
        // The three attributes take 24 + 36 + 8 bytes; the length field holds at most 65535.
        guard length + 68 <= 65535 else {
            return
        }
        writer.appendMessageIntegrity(key: Self.key)
        writer.appendMessageIntegritySHA256(key: Self.key)
        writer.appendFingerprint()
        let signed = writer.finish()
        guard let decoded = try? STUNMessage.decode(signed) else {
            FuzzDriver.check(false, "signed message does not decode")
            return
        }
        FuzzDriver.check(decoded.isMessageIntegrityValid(key: Self.key), "MESSAGE-INTEGRITY fails with the key")
        FuzzDriver.check(decoded.isMessageIntegritySHA256Valid(key: Self.key), "MESSAGE-INTEGRITY-SHA256 fails")
        FuzzDriver.check(decoded.isFingerprintValid(), "FINGERPRINT fails")
        FuzzDriver.check(!decoded.isMessageIntegrityValid(key: Self.otherKey), "MESSAGE-INTEGRITY passes a wrong key")
        FuzzDriver.check(
            !decoded.isMessageIntegritySHA256Valid(key: Self.otherKey),
            "MESSAGE-INTEGRITY-SHA256 passes a wrong key"
        )
        // Change one signed byte (transaction ID or attributes, chosen by the content) and check again.
        let position = 8 + Int(message.transactionID.bytes[0]) % (length + 12)
        var tampered = signed
        tampered.setInteger(signed.getInteger(at: position, as: UInt8.self)! ^ 0x01, at: position)
        if let changed = try? STUNMessage.decode(tampered) {
            FuzzDriver.check(!changed.isMessageIntegrityValid(key: Self.key), "MESSAGE-INTEGRITY misses a change")
            FuzzDriver.check(
                !changed.isMessageIntegritySHA256Valid(key: Self.key),
                "MESSAGE-INTEGRITY-SHA256 misses a change"
            )
            FuzzDriver.check(!changed.isFingerprintValid(), "FINGERPRINT misses a change")
        }
    }
}
