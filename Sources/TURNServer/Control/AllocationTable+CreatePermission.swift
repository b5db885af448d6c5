import CoreMetrics
import Logging
import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 8656 §9: installs or refreshes a permission for the IP of every XOR-PEER-ADDRESS, all or none: one peer
    /// the policy refuses (403) or of a family without a relay (443) fails the whole request (§9.2).
    func handleCreatePermission(_ request: inout TURNRequest) throws(TURNRequestError) {
        let allocation = try self.authenticatedAllocation(&request)
        guard let peers = try? request.message.attributes(XORPeerAddress.self).map({ $0.address.unmappingIPv4() }),
            !peers.isEmpty
        else {
            throw TURNRequestError.badRequest("XOR-PEER-ADDRESS missing")
        }
        for peer in peers {
            try self.checkPeer(peer, allocation: allocation)
        }
        for peer in peers {
            allocation.state.installPermission(
                for: peer.ip,
                now: request.now,
                isServerIP: self.shared.isServerIP(peer.ip)
            )
        }
        self.respondSuccess(request)
    }

    /// 443 for a peer of a family the allocation has no relay for, 403 for a peer the policy forbids (RFC 8656
    /// §9.2, §12.2 and §21).
    func checkPeer(_ peer: TransportAddress, allocation: Allocation) throws(TURNRequestError) {
        guard allocation.hasRelay(for: peer.family) else {
            throw TURNRequestError(.peerAddressFamilyMismatch)
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
            throw TURNRequestError(.forbidden)
        }
    }
}
