import CoreMetrics
import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 6062 §5.4: a ConnectionBind on a new client connection (this one, on any event loop) claims the peer
    /// connection named by CONNECTION-ID. It must be authenticated with the credentials of the peer connection's
    /// allocation (441 for another user) and come on a TCP or TLS connection that holds no allocation (400), for a
    /// connection waiting for its bind (400 otherwise). After the success response the connection carries the
    /// peer's bytes as they are: the returned pipe takes what the client sends to the peer.
    func handleConnectionBind(
        _ message: STUNMessage,
        from fiveTuple: FiveTuple,
        channel: any Channel,
        allocator: ByteBufferAllocator
    ) -> TCPRelayPipe? {
        var request = TURNRequest(
            message: message,
            fiveTuple: fiveTuple,
            output: .stream(channel),
            allocator: allocator,
            now: self.batchTime()
        )
        do throws(TURNRequestError) {
            let unknown = message.unknownComprehensionRequiredAttributes(understood: Self.understoodAttributes)
            if !unknown.isEmpty {
                throw TURNRequestError(.unknownAttribute, extra: .unknownAttributes(unknown))
            }
            let id = try? message.attribute(ConnectionID.self)?.value
            let pending = id.flatMap { self.shared.tcpConnections.pending($0) }
            let username = try self.authenticate(&request, isAllocate: false, pinned: pending?.owner)
            guard fiveTuple.transport == .tcp, self.allocations[fiveTuple] == nil,
                self.pendingAllocates[fiveTuple] == nil
            else {
                throw TURNRequestError.badRequest("ConnectionBind needs a new TCP or TLS connection")
            }
            guard let id, let pending else {
                throw TURNRequestError.badRequest("Unknown CONNECTION-ID")
            }
            guard username == pending.owner.username else {
                self.shared.metrics.authFailures["wrong_credentials"]?.increment()
                throw TURNRequestError(.wrongCredentials)
            }
            guard let claimed = self.shared.tcpConnections.claim(id) else {
                throw TURNRequestError.badRequest("Unknown CONNECTION-ID")
            }
            self.respondSuccess(request)
            let peerChannel = claimed.peerChannel
            peerChannel.triggerUserOutboundEvent(TCPPeerHandler.Bind(dataConnection: channel)).whenFailure { _ in
                channel.close(promise: nil)
            }
            return TCPRelayPipe(from: channel, to: peerChannel, direction: .toPeer, metrics: self.shared.metrics)
        } catch {
            self.respond(request, with: error)
            return nil
        }
    }
}
