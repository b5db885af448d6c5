import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The TURN control plane (RFC 8656 §7-§12): Allocate, Refresh, CreatePermission and ChannelBind requests, and
/// Send indications, for the allocations of this event loop.
extension AllocationTable {
    /// Comprehension-required attributes TURN requests may carry; anything else gets 420 (RFC 8489 §6.3.1.1).
    static let understoodAttributes: Set<STUNAttributeType> = BindingResponder.understoodAttributes.union([
        .channelNumber, .lifetime, .xorPeerAddress, .data, .requestedAddressFamily, .evenPort, .requestedTransport,
        .dontFragment, .reservationToken,
    ])

    /// The signing of a response: the key and algorithm of the request's own integrity (RFC 8489 §9.2.4).
    struct Signing {
        var key: [UInt8]
        var useSHA256: Bool
    }

    /// Handles one decoded STUN message of a TURN method. Binding never reaches here.
    func receivedTURNMessage(
        _ message: STUNMessage,
        from fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) {
        if message.hasFingerprint && !message.isFingerprintValid() {
            return  // RFC 8489 §7.3: discard.
        }
        switch message.type.messageClass {
        case .indication:
            if message.type.method == .send {
                self.receivedSendIndication(message, from: fiveTuple)
            }
            return
        case .successResponse, .errorResponse:
            return
        case .request:
            break
        }
        let unknown = message.unknownComprehensionRequiredAttributes(understood: Self.understoodAttributes)
        if !unknown.isEmpty {
            self.respondError(.unknownAttribute, to: message, output: output, allocator: allocator) { writer in
                writer.append(UnknownAttributes(types: unknown))
            }
            return
        }
        switch message.type.method {
        case .allocate:
            self.handleAllocate(message, fiveTuple: fiveTuple, output: output, allocator: allocator)
        case .refresh:
            self.handleRefresh(message, fiveTuple: fiveTuple, output: output, allocator: allocator)
        case .createPermission:
            self.handleCreatePermission(message, fiveTuple: fiveTuple, output: output, allocator: allocator)
        case .channelBind:
            self.handleChannelBind(message, fiveTuple: fiveTuple, output: output, allocator: allocator)
        default:
            self.respondError(
                .badRequest,
                reason: "Unsupported method",
                to: message,
                output: output,
                allocator: allocator
            )
        }
    }

    // MARK: - Authentication

    /// RFC 8489 §9.2.4: authenticates a request; on failure answers it (401/438 with a challenge, 400) and returns nil.
    private func authenticate(
        _ message: STUNMessage,
        isAllocate: Bool,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) -> (username: String, signing: Signing)? {
        let now = self.shared.unixNow()
        switch self.shared.authenticator.authenticate(message, isAllocate: isAllocate, now: now) {
        case .authenticated(let username, let key, let useSHA256):
            return (username, Signing(key: key, useSHA256: useSHA256))
        case .rejected(let code, let reason, let challenge):
            if reason != .missingCredentials {
                // The first, unauthenticated request of every client is the normal challenge, not a failure.
                self.shared.metrics.authFailures[reason.rawValue]?.increment()
            }
            self.respondError(code, to: message, output: output, allocator: allocator) { writer in
                if challenge {
                    self.shared.authenticator.appendChallenge(to: &writer, now: now)
                }
            }
            return nil
        }
    }

    /// The allocation of this 5-tuple for a Refresh, CreatePermission or ChannelBind, after authentication:
    /// 437 without one, 441 when the username differs from the allocation's (RFC 8656 §5).
    private func authenticatedAllocation(
        _ message: STUNMessage,
        fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) -> (Allocation, Signing)? {
        guard
            let (username, signing) = self.authenticate(
                message,
                isAllocate: false,
                output: output,
                allocator: allocator
            )
        else {
            return nil
        }
        guard let allocation = self.allocations[fiveTuple] else {
            self.respondError(.allocationMismatch, to: message, output: output, allocator: allocator, signing: signing)
            return nil
        }
        guard allocation.username == username else {
            self.shared.metrics.authFailures["wrong_credentials"]?.increment()
            self.respondError(.wrongCredentials, to: message, output: output, allocator: allocator, signing: signing)
            return nil
        }
        return (allocation, signing)
    }

    // MARK: - Allocate (RFC 8656 §7.2)

    private func handleAllocate(
        _ message: STUNMessage,
        fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) {
        guard
            let (username, signing) = self.authenticate(message, isAllocate: true, output: output, allocator: allocator)
        else {
            return
        }
        if let existing = self.allocations[fiveTuple] {
            if existing.allocateTransactionID == message.transactionID, let response = existing.allocateResponse {
                output.write(response)  // A retransmission: the same answer again.
                output.flush()
            } else {
                self.respondError(
                    .allocationMismatch,
                    to: message,
                    output: output,
                    allocator: allocator,
                    signing: signing
                )
            }
            return
        }
        if let pending = self.pendingAllocates[fiveTuple] {
            if pending != message.transactionID {
                self.respondError(
                    .allocationMismatch,
                    to: message,
                    output: output,
                    allocator: allocator,
                    signing: signing
                )
            }
            return  // Same transaction: its answer is on the way.
        }

        func badRequest(_ reason: String) {
            self.respondError(
                .badRequest,
                reason: reason,
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
        }
        guard let transport = try? message.attribute(RequestedTransport.self) else {
            return badRequest("REQUESTED-TRANSPORT missing")
        }
        guard transport.protocolNumber == RequestedTransport.udp.protocolNumber else {
            self.respondError(
                .unsupportedTransportProtocol,
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return
        }
        let evenPort: EvenPort?
        let reservationToken: ReservationToken?
        let requestedFamily: RequestedAddressFamily?
        let additionalFamily: AdditionalAddressFamily?
        let requestedLifetime: Lifetime?
        do {
            evenPort = try message.attribute(EvenPort.self)
            reservationToken = try message.attribute(ReservationToken.self)
            requestedFamily = try message.attribute(RequestedAddressFamily.self)
            additionalFamily = try message.attribute(AdditionalAddressFamily.self)
            requestedLifetime = try message.attribute(Lifetime.self)
        } catch {
            return badRequest("Malformed attribute")
        }
        if reservationToken != nil && (evenPort != nil || requestedFamily != nil || additionalFamily != nil) {
            return badRequest("RESERVATION-TOKEN with EVEN-PORT or an address family")
        }
        if requestedFamily != nil && additionalFamily != nil {
            return badRequest("REQUESTED-ADDRESS-FAMILY with ADDITIONAL-ADDRESS-FAMILY")
        }
        if let additionalFamily, additionalFamily.family != .ipv6 {
            return badRequest("ADDITIONAL-ADDRESS-FAMILY must be IPv6")
        }

        // The relay IP of each family asked for (RFC 8656 §7.2, RFC 6156).
        var reservation: ReservationRegistry.Reservation?
        var relayIPs: [TransportAddress.IP] = []
        var failedAdditionalFamily = false
        if let reservationToken {
            guard let taken = self.shared.reservations.take(token: reservationToken.token) else {
                return badRequest("Unknown or expired RESERVATION-TOKEN")
            }
            // Claimed: the reservation's place is given back; the allocation takes its own below.
            self.shared.quota.withLockedValue { $0.release(taken.quotaHolder) }
            reservation = taken
            relayIPs = [taken.address.ip]
        } else {
            let primary = requestedFamily?.family ?? .ipv4
            guard let ip = self.relayIP(family: primary, fiveTuple: fiveTuple) else {
                self.respondError(
                    .addressFamilyNotSupported,
                    to: message,
                    output: output,
                    allocator: allocator,
                    signing: signing
                )
                return
            }
            relayIPs = [ip]
            if additionalFamily != nil {
                if let ipv6 = self.relayIP(family: .ipv6, fiveTuple: fiveTuple) {
                    relayIPs.append(ipv6)
                } else {
                    failedAdditionalFamily = true
                }
            }
        }

        let wantsReservation = evenPort?.reserveNextHigherPort == true
        let quotaHolder = QuotaLedger.Holder(username: username, clientIP: fiveTuple.client.ip)
        // A reservation holds a relay port too, so it takes a second place until it is claimed or expires.
        let places = wantsReservation ? 2 : 1
        if let refusal = self.shared.quota.withLockedValue({ $0.acquire(quotaHolder, places: places) }) {
            self.shared.metrics.quotaRefusals[refusal]?.increment()
            reservation?.channel.close(promise: nil)
            self.respondError(
                .allocationQuotaReached,
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return
        }

        let now = NIODeadline.now()
        let lifetime = self.shared.configuration.lifetimes.grantedAllocationLifetime(
            requestedSeconds: requestedLifetime?.seconds
        )
        let allocation = Allocation(
            fiveTuple: fiveTuple,
            username: username,
            state: AllocationState(
                lifetime: lifetime,
                lifetimes: self.shared.configuration.lifetimes,
                now: now,
                channelNumbers: self.shared.configuration.channelNumbers
            ),
            clientOutput: output,
            allocateTransactionID: message.transactionID
        )
        if self.shared.configuration.allocationBandwidthLimit > 0 {
            allocation.limiter = BandwidthLimiter(
                bytesPerSecond: self.shared.configuration.allocationBandwidthLimit,
                now: now
            )
        }
        self.pendingAllocates[fiveTuple] = message.transactionID

        var binds: [EventLoopFuture<RelayBinding>] = []
        if let reservation {
            // The reserved socket may live on another loop: close it and bind its port again here.
            let port = Int(reservation.address.port)
            let ip = reservation.address.ip
            let closed = reservation.channel.close().flatMapErrorThrowing { _ in }.hop(to: self.eventLoop)
            binds.append(
                closed.assumeIsolated().flatMap {
                    self.bindRelay(ip: ip, allocation: allocation, port: port, evenPort: false, reserveNext: false)
                }.nonisolated()
            )
        } else {
            for (index, ip) in relayIPs.enumerated() {
                binds.append(
                    self.bindRelay(
                        ip: ip,
                        allocation: allocation,
                        port: nil,
                        evenPort: index == 0 && evenPort != nil,
                        reserveNext: index == 0 && wantsReservation
                    )
                )
            }
        }
        let signingCopy = signing
        let failedAdditional = failedAdditionalFamily
        EventLoopFuture.whenAllComplete(binds, on: self.eventLoop).assumeIsolated().whenSuccess { results in
            self.pendingAllocates[fiveTuple] = nil
            var bindings: [RelayBinding] = []
            for result in results {
                if case .success(let binding) = result {
                    bindings.append(binding)
                }
            }
            let allBound = bindings.count == results.count
            guard allBound, !bindings.isEmpty, self.allocations[fiveTuple] == nil else {
                for binding in bindings {
                    binding.channel.close(promise: nil)
                    binding.reserved?.channel.close(promise: nil)
                }
                self.shared.quota.withLockedValue { quota in
                    for _ in 0..<places {
                        quota.release(quotaHolder)
                    }
                }
                self.respondError(
                    .insufficientCapacity,
                    to: message,
                    output: output,
                    allocator: allocator,
                    signing: signingCopy
                )
                return
            }
            self.completeAllocate(
                allocation,
                bindings: bindings,
                request: message,
                reservesNextPort: wantsReservation,
                failedAdditionalFamily: failedAdditional,
                signing: signingCopy,
                allocator: allocator
            )
        }
    }

    private func completeAllocate(
        _ allocation: Allocation,
        bindings: [RelayBinding],
        request: STUNMessage,
        reservesNextPort: Bool,
        failedAdditionalFamily: Bool,
        signing: Signing,
        allocator: ByteBufferAllocator
    ) {
        allocation.relays = bindings.map { ($0.address, $0.channel, $0.socket) }
        self.allocations[allocation.fiveTuple] = allocation
        for binding in bindings {
            self.shared.relayRegistry.insert(binding.address)
        }
        var token: UInt64?
        if reservesNextPort && bindings.first?.reserved == nil {
            self.shared.quota.withLockedValue { $0.release(allocation.quotaHolder) }
        }
        if let reserved = bindings.first?.reserved {
            let newToken = UInt64.random(in: 1...UInt64.max)
            token = newToken
            self.shared.reservations.insert(
                token: newToken,
                ReservationRegistry.Reservation(
                    address: reserved.address,
                    channel: reserved.channel,
                    expiry: .now() + ReservationRegistry.lifetime,
                    quotaHolder: allocation.quotaHolder
                )
            )
        }
        let now = NIODeadline.now()
        let response = self.buildResponse(to: request, success: true, signing: signing, allocator: allocator) {
            writer in
            for binding in bindings {
                writer.append(XORRelayedAddress(address: binding.address))
            }
            writer.append(Lifetime(seconds: allocation.state.remainingSeconds(now: now)))
            writer.append(XORMappedAddress(address: allocation.fiveTuple.client))
            if let token {
                writer.append(ReservationToken(token))
            }
            if failedAdditionalFamily {
                writer.append(
                    AddressErrorCode(
                        family: .ipv6,
                        code: .addressFamilyNotSupported,
                        reasonPhrase: "Address Family not Supported"
                    )
                )
            }
        }
        allocation.allocateResponse = response
        allocation.clientOutput.write(response)
        allocation.clientOutput.flush()
        self.shared.metrics.allocations.increment()
        self.shared.metrics.allocationsCreated.increment()
        self.logger.info(
            "TURN allocation created",
            metadata: [
                "turn.five_tuple": "\(allocation.fiveTuple)",
                "turn.user": "\(allocation.username)",
                "turn.relay": "\(bindings.map { "\($0.address)" }.joined(separator: ","))",
                "turn.lifetime": "\(allocation.state.remainingSeconds(now: now))",
            ]
        )
    }

    /// A bound relay socket and, for EVEN-PORT with R, the reserved next port.
    struct RelayBinding {
        var address: TransportAddress
        var channel: any Channel
        var socket: DatagramSocket
        var reserved: (address: TransportAddress, channel: any Channel)?
    }

    /// The relay IP for `family`: a configured relay address, else the server address the client reached, else
    /// another listening address of that family.
    func relayIP(family: STUNAddressFamily, fiveTuple: FiveTuple) -> TransportAddress.IP? {
        if let configured = self.shared.relayIPs.first(where: { TransportAddress(ip: $0, port: 0).family == family }) {
            return configured
        }
        if fiveTuple.server.family == family, !Self.isWildcard(fiveTuple.server.ip) {
            return fiveTuple.server.ip
        }
        for text in self.shared.configuration.addresses {
            guard let address = (try? SocketAddress(ipAddress: text, port: 0)).flatMap(TransportAddress.init),
                address.family == family, !Self.isWildcard(address.ip)
            else {
                continue
            }
            return address.ip
        }
        return nil
    }

    static func isWildcard(_ ip: TransportAddress.IP) -> Bool {
        switch ip {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }

    /// Binds a relay socket on this event loop, on a random port of the configured range (even if asked), retrying
    /// ports already in use; with `reserveNext`, also binds the next port and keeps it for a later Allocate.
    private func bindRelay(
        ip: TransportAddress.IP,
        allocation: Allocation,
        port: Int?,
        evenPort: Bool,
        reserveNext: Bool,
        attempt: Int = 0
    ) -> EventLoopFuture<RelayBinding> {
        let range = self.shared.configuration.relayPorts
        var candidate = port ?? Int.random(in: range)
        if evenPort && candidate % 2 == 1 {
            candidate = candidate - 1 >= range.lowerBound ? candidate - 1 : candidate + 1
        }
        if reserveNext && candidate + 1 > range.upperBound {
            candidate -= 2
        }
        let chosen = candidate
        let address = TransportAddress(ip: ip, port: UInt16(chosen))
        let retry: (any Error) -> EventLoopFuture<RelayBinding> = { error in
            guard port == nil, attempt < 32, let ioError = error as? IOError, ioError.errnoCode == EADDRINUSE else {
                return self.eventLoop.makeFailedFuture(error)
            }
            return self.bindRelay(
                ip: ip,
                allocation: allocation,
                port: nil,
                evenPort: evenPort,
                reserveNext: reserveNext,
                attempt: attempt + 1
            )
        }
        return self.makeRelaySocket(address: address, allocation: allocation).assumeIsolated().flatMap { relay in
            let (channel, socket) = relay
            guard reserveNext else {
                return channel.eventLoop.makeSucceededFuture(
                    RelayBinding(address: address, channel: channel, socket: socket)
                )
            }
            let nextAddress = TransportAddress(ip: ip, port: UInt16(chosen + 1))
            return self.makeRelaySocket(address: nextAddress, allocation: nil).map { reserved in
                RelayBinding(address: address, channel: channel, socket: socket, reserved: (nextAddress, reserved.0))
            }.flatMapError { error in
                channel.close(promise: nil)
                return channel.eventLoop.makeFailedFuture(error)
            }
        }.flatMapError(retry).nonisolated()
    }

    /// One UDP socket bound to `address` on this loop. With no allocation (a reservation) it reads nothing.
    ///
    /// The socket is opened here rather than by the bootstrap so that the relay can send on it directly
    /// (``DatagramSocket``). A relay socket takes a peer's bursts (a video keyframe is tens of datagrams at once):
    /// 1 MiB of receive buffer instead of the kernel's default (about 200 KiB) keeps them while the loop serves
    /// other sockets; the kernel charges only what is queued.
    private func makeRelaySocket(
        address: TransportAddress,
        allocation: Allocation?
    ) -> EventLoopFuture<(any Channel, DatagramSocket)> {
        let socket: DatagramSocket
        do {
            socket = try DatagramSocket.make(boundTo: address, receiveBufferSize: 1 << 20, reusePort: false)
        } catch {
            return self.eventLoop.makeFailedFuture(error)
        }
        let table = NIOLoopBound(self, eventLoop: self.eventLoop)
        let boundAllocation = allocation.map { NIOLoopBound($0, eventLoop: self.eventLoop) }
        return DatagramBootstrap(group: self.eventLoop)
            .readingOneDatagramPerWakeUp()
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let boundAllocation {
                        try channel.pipeline.syncOperations.addHandler(
                            RelayHandler(table: table.value, allocation: boundAllocation.value, socket: socket)
                        )
                    }
                }
            }
            .withBoundSocket(socket.descriptor)
            .map { ($0, socket) }
    }

    // MARK: - Refresh (RFC 8656 §8)

    private func handleRefresh(
        _ message: STUNMessage,
        fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) {
        guard
            let (allocation, signing) = self.authenticatedAllocation(
                message,
                fiveTuple: fiveTuple,
                output: output,
                allocator: allocator
            )
        else {
            return
        }
        if let family = try? message.attribute(RequestedAddressFamily.self)?.family, !allocation.hasRelay(for: family) {
            self.respondError(
                .peerAddressFamilyMismatch,
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return
        }
        let requested = (try? message.attribute(Lifetime.self))?.seconds
        let now = NIODeadline.now()
        var granted: UInt32 = 0
        if requested == 0 {
            self.delete(allocation, reason: "refresh with lifetime 0")
        } else {
            allocation.state.refresh(
                lifetime: self.shared.configuration.lifetimes.grantedAllocationLifetime(requestedSeconds: requested),
                now: now
            )
            granted = allocation.state.remainingSeconds(now: now)
        }
        self.respondSuccess(to: message, output: output, allocator: allocator, signing: signing) { writer in
            writer.append(Lifetime(seconds: granted))
        }
    }

    // MARK: - CreatePermission (RFC 8656 §9)

    private func handleCreatePermission(
        _ message: STUNMessage,
        fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) {
        guard
            let (allocation, signing) = self.authenticatedAllocation(
                message,
                fiveTuple: fiveTuple,
                output: output,
                allocator: allocator
            )
        else {
            return
        }
        guard let peers = try? message.attributes(XORPeerAddress.self).map({ $0.address.unmappingIPv4() }),
            !peers.isEmpty
        else {
            self.respondError(
                .badRequest,
                reason: "XOR-PEER-ADDRESS missing",
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return
        }
        for peer in peers {
            guard
                self.checkPeer(
                    peer,
                    allocation: allocation,
                    message: message,
                    output: output,
                    allocator: allocator,
                    signing: signing
                )
            else {
                return
            }
        }
        let now = NIODeadline.now()
        for peer in peers {
            allocation.state.installPermission(for: peer.ip, now: now, isServerIP: self.shared.isServerIP(peer.ip))
        }
        self.respondSuccess(to: message, output: output, allocator: allocator, signing: signing) { _ in }
    }

    /// 443 for a peer of a family the allocation has no relay for, 403 for a peer the policy forbids.
    private func checkPeer(
        _ peer: TransportAddress,
        allocation: Allocation,
        message: STUNMessage,
        output: ClientOutput,
        allocator: ByteBufferAllocator,
        signing: Signing
    ) -> Bool {
        guard allocation.hasRelay(for: peer.family) else {
            self.respondError(
                .peerAddressFamilyMismatch,
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return false
        }
        if case .denied(let reason) = self.shared.checkPeer(peer) {
            self.shared.metrics.forbidden[reason.rawValue]?.increment()
            self.logger.debug(
                "TURN peer forbidden",
                metadata: [
                    "turn.five_tuple": "\(allocation.fiveTuple)", "turn.peer": "\(peer)",
                    "turn.reason": "\(reason.rawValue)",
                ]
            )
            self.respondError(.forbidden, to: message, output: output, allocator: allocator, signing: signing)
            return false
        }
        return true
    }

    // MARK: - ChannelBind (RFC 8656 §12.2)

    private func handleChannelBind(
        _ message: STUNMessage,
        fiveTuple: FiveTuple,
        output: ClientOutput,
        allocator: ByteBufferAllocator
    ) {
        guard
            let (allocation, signing) = self.authenticatedAllocation(
                message,
                fiveTuple: fiveTuple,
                output: output,
                allocator: allocator
            )
        else {
            return
        }
        guard let number = try? message.attribute(ChannelNumber.self),
            let peer = try? message.attribute(XORPeerAddress.self)?.address.unmappingIPv4()
        else {
            self.respondError(
                .badRequest,
                reason: "CHANNEL-NUMBER or XOR-PEER-ADDRESS missing",
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
            return
        }
        guard
            self.checkPeer(
                peer,
                allocation: allocation,
                message: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
        else {
            return
        }
        let isServerIP = self.shared.isServerIP(peer.ip)
        switch allocation.state.bindChannel(number.number, to: peer, now: .now(), isServerIP: isServerIP) {
        case .bound:
            self.respondSuccess(to: message, output: output, allocator: allocator, signing: signing) { _ in }
        case .invalidChannelNumber:
            self.respondError(
                .badRequest,
                reason: "Channel number out of range",
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
        case .conflictingBinding:
            self.respondError(
                .badRequest,
                reason: "Channel or peer already bound",
                to: message,
                output: output,
                allocator: allocator,
                signing: signing
            )
        }
    }

    // MARK: - Responses

    /// Builds a response of the request's method: SOFTWARE, the given attributes, MESSAGE-INTEGRITY(-SHA256) when
    /// signed, FINGERPRINT when the request had one (RFC 8489 §6.3, §9.2.4).
    func buildResponse(
        to request: STUNMessage,
        success: Bool,
        signing: Signing?,
        allocator: ByteBufferAllocator,
        attributes: (inout STUNMessageWriter) -> Void
    ) -> ByteBuffer {
        var writer = STUNMessageWriter(
            type: STUNMessageType(
                method: request.type.method,
                messageClass: success ? .successResponse : .errorResponse
            ),
            transactionID: request.transactionID,
            buffer: allocator.buffer(capacity: 160)
        )
        attributes(&writer)
        if let software = self.shared.software {
            writer.append(software)
        }
        if let signing {
            if signing.useSHA256 {
                writer.appendMessageIntegritySHA256(key: signing.key)
            } else {
                writer.appendMessageIntegrity(key: signing.key)
            }
        }
        if request.hasFingerprint {
            writer.appendFingerprint()
        }
        return writer.finish()
    }

    private func respondSuccess(
        to request: STUNMessage,
        output: ClientOutput,
        allocator: ByteBufferAllocator,
        signing: Signing,
        attributes: (inout STUNMessageWriter) -> Void
    ) {
        output.write(
            self.buildResponse(
                to: request,
                success: true,
                signing: signing,
                allocator: allocator,
                attributes: attributes
            )
        )
        output.flush()
    }

    /// An error response; signed when the request was authenticated (everything but 400/401/420/438 before it).
    func respondError(
        _ code: STUNErrorCode,
        reason: String? = nil,
        to request: STUNMessage,
        output: ClientOutput,
        allocator: ByteBufferAllocator,
        signing: Signing? = nil,
        attributes: (inout STUNMessageWriter) -> Void = { _ in }
    ) {
        let response = self.buildResponse(to: request, success: false, signing: signing, allocator: allocator) {
            writer in
            writer.append(ErrorCodeAttribute(code: code, reasonPhrase: reason ?? code.defaultReasonPhrase))
            attributes(&writer)
        }
        output.write(response)
        output.flush()
    }
}
