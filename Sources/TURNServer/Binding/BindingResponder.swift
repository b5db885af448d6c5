import NIOCore
import STUNCodec

/// The STUN binding responder (RFC 8489 §6.3, §7.3): decides, for one inbound STUN packet, which response to send.
///
/// Pure: it takes bytes and the client's transport address and returns bytes; no sockets, clocks or logs, so the
/// same code serves UDP and TCP and is tested without I/O.
public struct BindingResponder: Sendable {
    /// What to do with one inbound packet.
    public enum Action {
        /// Send this response to the client.
        case respond(ByteBuffer, Outcome)
        /// Send nothing.
        case drop(DropReason)
    }

    /// The kind of response sent, for metrics.
    public enum Outcome: Hashable, Sendable {
        case success
        case error(STUNErrorCode)
    }

    /// Why a packet got no answer, for metrics.
    public enum DropReason: String, Hashable, Sendable, CaseIterable {
        /// Not a STUN message at all (RFC 7983 demultiplexing said so): silently dropped.
        case notSTUN = "not_stun"
        /// Looks like STUN but cannot be decoded and is not a request we could answer with 400.
        case malformed
        /// FINGERPRINT present but wrong: RFC 8489 §7.3 says discard.
        case badFingerprint = "bad_fingerprint"
        /// An indication (for example a Binding keep-alive): RFC 8489 §6.3.2 sends no response.
        case indication
        /// A response sent to a server: nothing to answer.
        case response
        /// ChannelData with no TURN allocation to deliver it to.
        case channelData = "channel_data"
        /// A datagram longer than the listener takes (``DatagramReceiver/maximumDatagramSize``): dropped, not handled
        /// cut short.
        case tooLarge = "too_large"
    }

    /// Comprehension-required attributes a Binding request may carry that the responder accepts without acting
    /// on them (ICE connectivity-check attributes and authentication attributes of other usages). Anything else
    /// comprehension-required is answered with 420 (RFC 8489 §6.3.1.1).
    public static let understoodAttributes: Set<STUNAttributeType> = [
        .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes, .realm, .nonce,
        .xorMappedAddress, .messageIntegritySHA256, .passwordAlgorithm, .userhash, .priority, .useCandidate,
    ]

    /// SOFTWARE sent in every response, RFC 8489 §14.14; `nil` sends none.
    public var software: Software?

    public init(software: String?) {
        if let software, !software.isEmpty {
            self.software = Software(software)
        } else {
            self.software = nil
        }
    }

    /// Handles one inbound packet from `source`.
    public func respond(
        to packet: ByteBuffer,
        from source: TransportAddress,
        allocator: ByteBufferAllocator
    ) -> Action {
        switch PacketDemultiplexer.classify(packet) {
        case .unknown:
            return .drop(.notSTUN)
        case .channelData:
            return .drop(.channelData)
        case .stun:
            break
        }

        let message: STUNMessage
        do {
            message = try STUNMessage.decode(packet)
        } catch {
            return self.respondToUndecodable(packet, allocator: allocator)
        }
        return self.respond(to: message, from: source, allocator: allocator)
    }

    /// RFC 8489 §6.3: a request whose header is sound but whose body is not gets 400; anything else is dropped,
    /// since there is no transaction to answer.
    public func respondToUndecodable(_ packet: ByteBuffer, allocator: ByteBufferAllocator) -> Action {
        guard let header = Self.requestHeader(of: packet) else {
            return .drop(.malformed)
        }
        return self.errorResponse(
            method: header.method,
            transactionID: header.transactionID,
            code: .badRequest,
            reason: "Malformed STUN message",
            unknownAttributes: [],
            withFingerprint: false,
            allocator: allocator
        )
    }

    /// Handles one decoded STUN message from `source`.
    public func respond(
        to message: STUNMessage,
        from source: TransportAddress,
        allocator: ByteBufferAllocator
    ) -> Action {
        if message.hasFingerprint && !message.isFingerprintValid() {
            return .drop(.badFingerprint)
        }

        switch message.type.messageClass {
        case .indication:
            return .drop(.indication)
        case .successResponse, .errorResponse:
            return .drop(.response)
        case .request:
            break
        }

        guard message.type.method == .binding else {
            return self.errorResponse(
                method: message.type.method,
                transactionID: message.transactionID,
                code: .badRequest,
                reason: "Unsupported method",
                unknownAttributes: [],
                withFingerprint: message.hasFingerprint,
                allocator: allocator
            )
        }

        let unknown = message.unknownComprehensionRequiredAttributes(understood: Self.understoodAttributes)
        if !unknown.isEmpty {
            return self.errorResponse(
                method: .binding,
                transactionID: message.transactionID,
                code: .unknownAttribute,
                reason: "Unknown Attribute",
                unknownAttributes: unknown,
                withFingerprint: message.hasFingerprint,
                allocator: allocator
            )
        }

        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .binding, messageClass: .successResponse),
            transactionID: message.transactionID,
            buffer: allocator.buffer(capacity: 80)
        )
        writer.append(XORMappedAddress(address: source))
        writer.append(MappedAddress(address: source))
        if let software = self.software {
            writer.append(software)
        }
        if message.hasFingerprint {
            writer.appendFingerprint()
        }
        return .respond(writer.finish(), .success)
    }

    private func errorResponse(
        method: STUNMethod,
        transactionID: STUNTransactionID,
        code: STUNErrorCode,
        reason: String,
        unknownAttributes: [STUNAttributeType],
        withFingerprint: Bool,
        allocator: ByteBufferAllocator
    ) -> Action {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: method, messageClass: .errorResponse),
            transactionID: transactionID,
            buffer: allocator.buffer(capacity: 96)
        )
        writer.append(ErrorCodeAttribute(code: code, reasonPhrase: reason))
        if !unknownAttributes.isEmpty {
            writer.append(UnknownAttributes(types: unknownAttributes))
        }
        if let software = self.software {
            writer.append(software)
        }
        if withFingerprint {
            writer.appendFingerprint()
        }
        return .respond(writer.finish(), .error(code))
    }

    /// The method and transaction id of a packet whose 20-byte header is a well-formed STUN request header
    /// (RFC 8489 §5), even if the rest cannot be decoded.
    static func requestHeader(of packet: ByteBuffer) -> (method: STUNMethod, transactionID: STUNTransactionID)? {
        guard packet.readableBytes >= 20,
            let rawType = packet.getInteger(at: packet.readerIndex, as: UInt16.self),
            let type = STUNMessageType(rawValue: rawType),
            type.messageClass == .request,
            let cookie = packet.getInteger(at: packet.readerIndex + 4, as: UInt32.self),
            cookie == 0x2112_A442,
            let transactionBytes = packet.getBytes(at: packet.readerIndex + 8, length: 12)
        else {
            return nil
        }
        return (type.method, STUNTransactionID(transactionBytes))
    }
}
