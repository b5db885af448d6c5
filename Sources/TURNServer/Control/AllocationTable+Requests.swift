import CoreMetrics
import NIOCore
import STUNCodec

/// The TURN control plane (RFC 8656 §7-§12, RFC 6062 §5) for the allocations of this event loop: the dispatch of
/// requests and indications, and authentication. Each method has its own file (Allocate, Refresh, CreatePermission,
/// ChannelBind, Connect, ConnectionBind); answers are built in one place (AllocationTable+Responses). A handler
/// either answers success itself or throws the ``TURNRequestError`` it ends with.
extension AllocationTable {
    /// Comprehension-required attributes TURN requests may carry; anything else gets 420 (RFC 8489 §6.3.1.1).
    static let understoodAttributes: Set<STUNAttributeType> = BindingResponder.understoodAttributes.union([
        .channelNumber, .lifetime, .xorPeerAddress, .data, .requestedAddressFamily, .evenPort, .requestedTransport,
        .dontFragment, .reservationToken, .connectionID,
    ])

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
        var request = TURNRequest(
            message: message,
            fiveTuple: fiveTuple,
            output: output,
            allocator: allocator,
            now: self.batchTime()
        )
        do throws(TURNRequestError) {
            let unknown = message.unknownComprehensionRequiredAttributes(understood: Self.understoodAttributes)
            if !unknown.isEmpty {
                throw TURNRequestError(.unknownAttribute, extra: .unknownAttributes(unknown))
            }
            switch message.type.method {
            case .allocate:
                try self.handleAllocate(&request)
            case .refresh:
                try self.handleRefresh(&request)
            case .createPermission:
                try self.handleCreatePermission(&request)
            case .channelBind:
                try self.handleChannelBind(&request)
            case .connect:
                try self.handleConnect(&request)
            case .connectionBind:
                // A TCP or TLS connection hands ConnectionBind to ``handleConnectionBind``; this is UDP.
                throw TURNRequestError.badRequest("ConnectionBind needs a TCP or TLS connection")
            default:
                throw TURNRequestError.badRequest("Unsupported method")
            }
        } catch {
            self.respond(request, with: error)
        }
    }

    // MARK: - Authentication

    /// RFC 8489 §9.2.4: authenticates a request and sets its signing; returns the username. Throws 401/438 with a
    /// challenge, or 400. `pinned` is the username and key of the allocation the request is about, accepted even
    /// when the credentials in force no longer know them.
    func authenticate(
        _ request: inout TURNRequest,
        isAllocate: Bool,
        pinned: TURNAuthenticator.PinnedCredential? = nil
    ) throws(TURNRequestError) -> String {
        let now = self.shared.unixNow()
        let result = self.shared.authenticator.authenticate(
            request.message,
            isAllocate: isAllocate,
            now: now,
            pinned: pinned
        )
        switch result {
        case .authenticated(let username, let key, let useSHA256):
            request.signing = TURNRequest.Signing(key: key, useSHA256: useSHA256)
            return username
        case .rejected(let code, let reason, let challenge):
            if reason != .missingCredentials {
                // The first, unauthenticated request of every client is the normal challenge, not a failure.
                self.shared.metrics.authFailures[reason.rawValue]?.increment()
            }
            throw TURNRequestError(code, extra: challenge ? .challenge : .none)
        }
    }

    /// The allocation of this 5-tuple for a Refresh, CreatePermission or ChannelBind, after authentication:
    /// 437 without one, 441 when the username differs from the allocation's (RFC 8656 §5). The allocation's own
    /// key is accepted too, so a reload that rotates a secret or removes a user does not end allocations made
    /// before it.
    func authenticatedAllocation(_ request: inout TURNRequest) throws(TURNRequestError) -> Allocation {
        let pinned = self.allocations[request.fiveTuple].map {
            TURNAuthenticator.PinnedCredential(username: $0.username, key: $0.key)
        }
        let username = try self.authenticate(&request, isAllocate: false, pinned: pinned)
        guard let allocation = self.allocations[request.fiveTuple] else {
            throw TURNRequestError(.allocationMismatch)
        }
        guard allocation.username == username else {
            self.shared.metrics.authFailures["wrong_credentials"]?.increment()
            throw TURNRequestError(.wrongCredentials)
        }
        return allocation
    }
}
