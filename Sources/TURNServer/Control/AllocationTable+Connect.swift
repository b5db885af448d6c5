import CoreMetrics
import Logging
import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 6062 §5.2: opens a TCP connection from a TCP allocation's relayed address to XOR-PEER-ADDRESS and, once
    /// connected, answers with its CONNECTION-ID; the client then binds a data connection to it. 400 without a TCP
    /// allocation or a peer address, 443 and 403 as for CreatePermission (the same peer policy), 446 when a
    /// connection with that peer exists, 508 over the allocation's connection limit, 447 when connecting fails or
    /// takes over 30 seconds. Like coturn, it needs no permission: the policy decides, as for a permission.
    func handleConnect(_ request: inout TURNRequest) throws(TURNRequestError) {
        let allocation = try self.authenticatedAllocation(&request)
        guard let relay = allocation.tcpRelay else {
            throw TURNRequestError.badRequest("Connect needs a TCP allocation")
        }
        guard let peer = try? request.message.attribute(XORPeerAddress.self)?.address.unmappingIPv4() else {
            throw TURNRequestError.badRequest("XOR-PEER-ADDRESS missing")
        }
        try self.checkPeer(peer, allocation: allocation)
        switch relay.connections.decide(peer: peer) {
        case .allowed:
            break
        case .alreadyExists:
            throw TURNRequestError(.connectionAlreadyExists)
        case .tooMany:
            self.shared.metrics.tcpRefused[.tooMany]?.increment()
            throw TURNRequestError(.insufficientCapacity)
        }
        let id = self.shared.tcpConnections.reserveID()
        relay.connections.connecting(id, to: peer)
        let answered = request
        self.tcpRelaySockets.connect(from: relay.address, to: peer, id: id, allocation: allocation, table: self)
            .assumeIsolated().whenComplete { result in
                switch result {
                case .success(let channel):
                    guard !allocation.isClosed, relay.connections.connected(id, now: self.clock()) else {
                        self.shared.tcpConnections.release(id)
                        channel.close(promise: nil)
                        return
                    }
                    self.peerConnectionOpened(id, channel: channel, peer: peer, allocation: allocation)
                    self.respondSuccess(answered) { writer in
                        writer.append(ConnectionID(id))
                    }
                case .failure(let error):
                    relay.connections.remove(id)
                    self.shared.tcpConnections.release(id)
                    guard !allocation.isClosed else {
                        return
                    }
                    self.shared.metrics.tcpRefused[.connectFailed]?.increment()
                    self.logger.debug(
                        "TURN TCP connect failed",
                        metadata: [
                            "turn.five_tuple": "\(allocation.fiveTuple)", "turn.peer": "\(peer)",
                            "error": "\(error)",
                        ]
                    )
                    self.respond(answered, with: TURNRequestError(.connectionTimeoutOrFailure))
                }
            }
    }
}
