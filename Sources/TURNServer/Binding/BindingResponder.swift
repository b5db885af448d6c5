import NIOCore
import STUNCodec

/// The STUN binding responder (RFC 8489 §6.3, §7.3): decides, for one inbound STUN packet, which response to send,
/// and with RFC 5780 NAT behaviour discovery (``discovery``), from which of the server's UDP addresses and to which
/// client port.
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
        /// A UDP response (Binding or TURN) the kernel refused to send: its destination unreachable, its size, a
        /// full device queue. The request was counted with its response; this counts the response lost.
        case sendFailed = "send_failed"
    }

    /// Comprehension-required attributes a Binding request may carry that the responder accepts without acting
    /// on them (ICE connectivity-check attributes and authentication attributes of other usages). Anything else
    /// comprehension-required is answered with 420 (RFC 8489 §6.3.1.1).
    public static let understoodAttributes: Set<STUNAttributeType> = [
        .mappedAddress, .username, .messageIntegrity, .errorCode, .unknownAttributes, .realm, .nonce,
        .xorMappedAddress, .messageIntegritySHA256, .passwordAlgorithm, .userhash, .priority, .useCandidate,
    ]

    /// With RFC 5780 discovery, CHANGE-REQUEST, RESPONSE-PORT and PADDING are understood too (on UDP only: a
    /// stream cannot be answered from another address or port).
    static let understoodDiscoveryAttributes = understoodAttributes.union([.changeRequest, .responsePort, .padding])

    /// Where a UDP response goes.
    public struct Route: Hashable, Sendable {
        /// The server address to send from; nil: the socket the request arrived on.
        public var origin: TransportAddress?
        /// The client address to send to: the request's source, or its IP and RESPONSE-PORT.
        public var destination: TransportAddress
    }

    /// SOFTWARE sent in every response, RFC 8489 §14.14; `nil` sends none.
    public var software: Software?
    /// The RFC 5780 addresses of the UDP listeners; nil: no NAT behaviour discovery, and CHANGE-REQUEST,
    /// RESPONSE-PORT and PADDING are unknown comprehension-required attributes (420), as before RFC 5780.
    public var discovery: NATDiscoveryEndpoints?

    public init(software: String?, discovery: NATDiscoveryEndpoints? = nil) {
        if let software, !software.isEmpty {
            self.software = Software(software)
        } else {
            self.software = nil
        }
        self.discovery = discovery
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

    /// Handles one decoded STUN message from `source` on a stream (or without RFC 5780): the response goes back on
    /// the connection it came from.
    public func respond(
        to message: STUNMessage,
        from source: TransportAddress,
        allocator: ByteBufferAllocator
    ) -> Action {
        self.respond(to: message, from: source, receivedOn: nil, allocator: allocator).action
    }

    /// Handles one decoded STUN message from `source` that reached the server's UDP address `local` (nil when
    /// unknown, as on a wildcard socket): the action and where the response goes. RFC 5780 requests are honoured
    /// only when `local` is one of ``discovery``'s addresses.
    public func respond(
        to message: STUNMessage,
        from source: TransportAddress,
        receivedOn local: TransportAddress?,
        allocator: ByteBufferAllocator
    ) -> (action: Action, route: Route) {
        let back = Route(origin: nil, destination: source)
        if message.hasFingerprint && !message.isFingerprintValid() {
            return (.drop(.badFingerprint), back)
        }

        switch message.type.messageClass {
        case .indication:
            return (.drop(.indication), back)
        case .successResponse, .errorResponse:
            return (.drop(.response), back)
        case .request:
            break
        }

        guard message.type.method == .binding else {
            let action = self.errorResponse(
                to: message,
                code: .badRequest,
                reason: "Unsupported method",
                allocator: allocator
            )
            return (action, back)
        }

        let discovery = local.flatMap { local in self.discovery.flatMap { $0.contains(local) ? $0 : nil } }
        let understood = discovery == nil ? Self.understoodAttributes : Self.understoodDiscoveryAttributes
        let unknown = message.unknownComprehensionRequiredAttributes(understood: understood)
        if !unknown.isEmpty {
            let action = self.errorResponse(
                to: message,
                code: .unknownAttribute,
                reason: "Unknown Attribute",
                unknownAttributes: unknown,
                allocator: allocator
            )
            return (action, back)
        }
        guard let discovery, let local else {
            return (self.successResponse(to: message, source: source, allocator: allocator), back)
        }
        return self.respondToDiscovery(message, from: source, receivedOn: local, endpoints: discovery, allocator)
    }

    /// RFC 5780 §6.1: a Binding request on one of the discovery addresses.
    private func respondToDiscovery(
        _ message: STUNMessage,
        from source: TransportAddress,
        receivedOn local: TransportAddress,
        endpoints: NATDiscoveryEndpoints,
        _ allocator: ByteBufferAllocator
    ) -> (action: Action, route: Route) {
        let back = Route(origin: nil, destination: source)
        let change: ChangeRequest?
        let responsePort: ResponsePort?
        let padding: Padding?
        do {
            change = try message.attribute(ChangeRequest.self)
            responsePort = try message.attribute(ResponsePort.self)
            padding = try message.attribute(Padding.self)
        } catch {
            return (self.errorResponse(to: message, code: .badRequest, reason: "Bad value", allocator: allocator), back)
        }
        // §6.1: PADDING and RESPONSE-PORT together are refused (a large reply aimed at another port).
        if padding != nil && responsePort != nil {
            let action = self.errorResponse(
                to: message,
                code: .badRequest,
                reason: "PADDING with RESPONSE-PORT",
                allocator: allocator
            )
            return (action, back)
        }
        if let responsePort, responsePort.port == 0 {
            return (self.errorResponse(to: message, code: .badRequest, reason: "Port 0", allocator: allocator), back)
        }
        let changeIP = change?.changeIP ?? false
        let changePort = change?.changePort ?? false
        guard let origin = endpoints.origin(receivedOn: local, changeIP: changeIP, changePort: changePort) else {
            // §6.1: a change the server has no alternate address or port for is answered with 420.
            let action = self.errorResponse(
                to: message,
                code: .unknownAttribute,
                reason: "Unknown Attribute",
                unknownAttributes: [.changeRequest],
                allocator: allocator
            )
            return (action, back)
        }
        var destination = source
        if let responsePort {
            destination.port = responsePort.port
        }
        let action = self.successResponse(
            to: message,
            source: source,
            discovery: (origin, endpoints.otherAddress(for: local), padding),
            allocator: allocator
        )
        return (action, Route(origin: origin == local ? nil : origin, destination: destination))
    }

    /// The Binding success response: the source as XOR-MAPPED-ADDRESS and MAPPED-ADDRESS, and with RFC 5780 the
    /// RESPONSE-ORIGIN, OTHER-ADDRESS (when there is an alternate) and PADDING.
    private func successResponse(
        to message: STUNMessage,
        source: TransportAddress,
        discovery: (origin: TransportAddress, other: TransportAddress?, padding: Padding?)? = nil,
        allocator: ByteBufferAllocator
    ) -> Action {
        var writer = STUNMessageWriter(
            type: STUNMessageType(method: .binding, messageClass: .successResponse),
            transactionID: message.transactionID,
            buffer: allocator.buffer(capacity: 80 + (discovery?.padding?.length ?? 0))
        )
        writer.append(XORMappedAddress(address: source))
        writer.append(MappedAddress(address: source))
        if let discovery {
            writer.append(ResponseOrigin(address: discovery.origin))
            if let other = discovery.other {
                writer.append(OtherAddress(address: other))
            }
        }
        if let software = self.software {
            writer.append(software)
        }
        // The reply's padding is the request's, never more: §6.1 suggests the MTU, but a reply larger than its
        // request would make the server an amplifier.
        if let padding = discovery?.padding {
            writer.append(padding)
        }
        if message.hasFingerprint {
            writer.appendFingerprint()
        }
        return .respond(writer.finish(), .success)
    }

    private func errorResponse(
        to message: STUNMessage,
        code: STUNErrorCode,
        reason: String,
        unknownAttributes: [STUNAttributeType] = [],
        allocator: ByteBufferAllocator
    ) -> Action {
        self.errorResponse(
            method: message.type.method,
            transactionID: message.transactionID,
            code: code,
            reason: reason,
            unknownAttributes: unknownAttributes,
            withFingerprint: message.hasFingerprint,
            allocator: allocator
        )
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
