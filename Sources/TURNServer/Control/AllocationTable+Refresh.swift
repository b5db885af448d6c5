import NIOCore
import STUNCodec

extension AllocationTable {
    /// RFC 8656 §8: a Refresh sets a new lifetime, clamped like Allocate's; lifetime 0 deletes the allocation. A
    /// REQUESTED-ADDRESS-FAMILY the allocation has no relay for is 443 (§8.2, RFC 6156 dual allocations).
    func handleRefresh(_ request: inout TURNRequest) throws(TURNRequestError) {
        let allocation = try self.authenticatedAllocation(&request)
        if let family = try? request.message.attribute(RequestedAddressFamily.self)?.family,
            !allocation.hasRelay(for: family)
        {
            throw TURNRequestError(.peerAddressFamilyMismatch)
        }
        let requested = (try? request.message.attribute(Lifetime.self))?.seconds
        var granted: UInt32 = 0
        if requested == 0 {
            self.delete(allocation, reason: "refresh with lifetime 0")
        } else {
            allocation.state.refresh(
                lifetime: self.shared.configuration.lifetimes.grantedAllocationLifetime(requestedSeconds: requested),
                now: request.now
            )
            granted = allocation.state.remainingSeconds(now: request.now)
        }
        self.respondSuccess(request) { writer in
            writer.append(Lifetime(seconds: granted))
        }
    }
}
