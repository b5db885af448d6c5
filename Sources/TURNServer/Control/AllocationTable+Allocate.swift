import CoreMetrics
import Logging
import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 8656 §7.2: authenticates, answers a retransmission with the same response (437 for another
    /// transaction on a 5-tuple that already has an allocation), checks the request (``AllocateRequest``), takes
    /// quota places (486), then binds the relay sockets (508 when that fails) and answers when they are bound.
    func handleAllocate(_ request: inout TURNRequest) throws(TURNRequestError) {
        let username = try self.authenticate(&request, isAllocate: true)
        let fiveTuple = request.fiveTuple
        let transactionID = request.message.transactionID
        if let existing = self.allocations[fiveTuple] {
            guard existing.allocateTransactionID == transactionID, let response = existing.allocateResponse else {
                throw TURNRequestError(.allocationMismatch)
            }
            request.output.write(response)  // A retransmission: the same answer again.
            request.output.flush()
            return
        }
        if let pending = self.pendingAllocates[fiveTuple] {
            guard pending == transactionID else {
                throw TURNRequestError(.allocationMismatch)
            }
            return  // Same transaction: its answer is on the way.
        }
        let asked = try AllocateRequest(
            request.message,
            clientTransport: fiveTuple.transport,
            tcpRelay: self.shared.configuration.tcpRelay
        )

        // The relay IP of each family asked for (RFC 8656 §7.2, RFC 6156).
        var reservation: ReservationRegistry.Reservation?
        var relayIPs: [TransportAddress.IP] = []
        var failedAdditionalFamily = false
        switch asked.relay {
        case .reserved(let token):
            guard let taken = self.shared.reservations.take(token: token) else {
                throw TURNRequestError.badRequest("Unknown or expired RESERVATION-TOKEN")
            }
            // Claimed: the reservation's place is given back; the allocation takes its own below.
            self.shared.quota.withLockedValue { $0.release(taken.quotaHolder) }
            reservation = taken
            relayIPs = [taken.address.ip]
        case .new(let primary, let additionalIPv6):
            guard let ip = self.relayIP(family: primary, fiveTuple: fiveTuple) else {
                throw TURNRequestError(.addressFamilyNotSupported)
            }
            relayIPs = [ip]
            if additionalIPv6 {
                if let ipv6 = self.relayIP(family: .ipv6, fiveTuple: fiveTuple) {
                    relayIPs.append(ipv6)
                } else {
                    failedAdditionalFamily = true
                }
            }
        }

        let quotaHolder = QuotaLedger.Holder(username: username, clientIP: fiveTuple.client.ip)
        // A reservation holds a relay port too, so it takes a second place until it is claimed or expires.
        let places = asked.reservesNextPort ? 2 : 1
        if let refusal = self.shared.quota.withLockedValue({ $0.acquire(quotaHolder, places: places) }) {
            self.shared.metrics.quotaRefusals[refusal]?.increment()
            reservation?.channel.close(promise: nil)
            throw TURNRequestError(.allocationQuotaReached)
        }

        let lifetime = self.shared.configuration.lifetimes.grantedAllocationLifetime(
            requestedSeconds: asked.requestedLifetimeSeconds
        )
        let allocation = Allocation(
            fiveTuple: fiveTuple,
            username: username,
            key: request.signing?.key ?? [],
            state: AllocationState(
                lifetime: lifetime,
                lifetimes: self.shared.configuration.lifetimes,
                now: request.now,
                channelNumbers: self.shared.configuration.channelNumbers
            ),
            clientOutput: request.output,
            allocateTransactionID: transactionID
        )
        let bandwidthLimit = self.shared.allocationBandwidthLimit
        if bandwidthLimit > 0 {
            allocation.limiter = BandwidthLimiter(
                bytesPerSecond: bandwidthLimit,
                now: request.now
            )
        }
        self.pendingAllocates[fiveTuple] = transactionID
        if asked.transport == .tcp {
            self.listenTCPRelay(ip: relayIPs[0], for: allocation, request: request)
            return
        }

        var binds: [EventLoopFuture<RelayBinding>] = []
        if let reservation {
            // The reserved socket may live on another loop: close it and bind its port again here.
            let port = Int(reservation.address.port)
            let ip = reservation.address.ip
            let closed = reservation.channel.close().flatMapErrorThrowing { _ in }.hop(to: self.eventLoop)
            binds.append(
                closed.assumeIsolated().flatMap {
                    self.relaySockets.bindRelay(
                        ip: ip,
                        port: port,
                        evenPort: false,
                        reserveNext: false,
                        for: allocation,
                        table: self
                    )
                }.nonisolated()
            )
        } else {
            for (index, ip) in relayIPs.enumerated() {
                binds.append(
                    self.relaySockets.bindRelay(
                        ip: ip,
                        port: nil,
                        evenPort: index == 0 && asked.evenPort,
                        reserveNext: index == 0 && asked.reservesNextPort,
                        for: allocation,
                        table: self
                    )
                )
            }
        }
        let answered = request
        EventLoopFuture.whenAllComplete(binds, on: self.eventLoop).assumeIsolated().whenSuccess { results in
            self.pendingAllocates[fiveTuple] = nil
            let bindings = results.compactMap { try? $0.get() }
            guard bindings.count == results.count, !bindings.isEmpty, self.allocations[fiveTuple] == nil else {
                for binding in bindings {
                    binding.channel.close(promise: nil)
                    binding.reserved?.channel.close(promise: nil)
                }
                self.shared.quota.withLockedValue { quota in
                    for _ in 0..<places {
                        quota.release(quotaHolder)
                    }
                }
                self.respond(answered, with: TURNRequestError(.insufficientCapacity))
                return
            }
            self.completeAllocate(
                allocation,
                bindings: bindings,
                request: answered,
                reservesNextPort: asked.reservesNextPort,
                failedAdditionalFamily: failedAdditionalFamily
            )
        }
    }

    /// The relay sockets are bound: the allocation goes live and the success response (kept for retransmissions)
    /// carries its relayed addresses, lifetime, mapped address and any reservation token.
    private func completeAllocate(
        _ allocation: Allocation,
        bindings: [RelayBinding],
        request: TURNRequest,
        reservesNextPort: Bool,
        failedAdditionalFamily: Bool
    ) {
        let now = self.clock()
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
                    expiry: now + ReservationRegistry.lifetime,
                    quotaHolder: allocation.quotaHolder
                )
            )
        }
        self.announce(allocation, request: request, token: token, failedAdditionalFamily: failedAdditionalFamily)
    }

    /// The allocation is live: the success response (kept for retransmissions) carries its relayed addresses,
    /// lifetime, mapped address and any reservation token.
    func announce(
        _ allocation: Allocation,
        request: TURNRequest,
        token: UInt64? = nil,
        failedAdditionalFamily: Bool = false
    ) {
        let now = self.clock()
        let relayAddresses = allocation.relayAddresses
        let response = self.buildResponse(to: request, success: true) { writer in
            for address in relayAddresses {
                // Behind a 1:1 NAT peers reach the public IP, on the port we bound (RFC 8656 §7.3).
                let advertised = self.shared.configuration.externalAddresses.advertised(address)
                writer.append(XORRelayedAddress(address: advertised))
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
                "turn.relay": "\(relayAddresses.map { "\($0)" }.joined(separator: ","))",
                "turn.lifetime": "\(allocation.state.remainingSeconds(now: now))",
            ]
        )
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
        return self.shared.configuration.addresses.first { ip in
            TransportAddress(ip: ip, port: 0).family == family && !Self.isWildcard(ip)
        }
    }

    static func isWildcard(_ ip: TransportAddress.IP) -> Bool {
        switch ip {
        case .v4(let value): return value == 0
        case .v6(let high, let low): return high == 0 && low == 0
        }
    }
}
