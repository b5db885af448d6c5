import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 8656 §12.2: binds a channel number to a peer (or refreshes the binding), after the same peer checks as
    /// CreatePermission; the rules on numbers and rebinding are ``AllocationState/bindChannel(_:to:now:isServerIP:)``.
    func handleChannelBind(_ request: inout TURNRequest) throws(TURNRequestError) {
        let allocation = try self.authenticatedAllocation(&request)
        guard allocation.tcpRelay == nil else {
            throw TURNRequestError.badRequest("No channels on a TCP allocation")  // RFC 6062 §5.1: no ChannelData.
        }
        guard let number = try? request.message.attribute(ChannelNumber.self),
            let peer = try? request.message.attribute(XORPeerAddress.self)?.address.unmappingIPv4()
        else {
            throw TURNRequestError.badRequest("CHANNEL-NUMBER or XOR-PEER-ADDRESS missing")
        }
        try self.checkPeer(peer, allocation: allocation)
        let isServerIP = self.shared.isServerIP(peer.ip)
        switch allocation.state.bindChannel(number.number, to: peer, now: request.now, isServerIP: isServerIP) {
        case .bound:
            self.respondSuccess(request)
        case .invalidChannelNumber:
            throw TURNRequestError.badRequest("Channel number out of range")
        case .conflictingBinding:
            throw TURNRequestError.badRequest("Channel or peer already bound")
        }
    }
}
