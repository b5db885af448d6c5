import NIOCore

/// The timers of RFC 8656, configurable.
public struct TURNLifetimes: Sendable, Hashable {
    /// RFC 8656 §7.2: the lifetime of an allocation when the client asks for less or for nothing (600 s).
    public var defaultAllocation: TimeAmount
    /// The longest allocation lifetime granted (3600 s); longer requests are clamped.
    public var maximumAllocation: TimeAmount
    /// RFC 8656 §9: permission lifetime (300 s, not configurable by the client).
    public var permission: TimeAmount
    /// RFC 8656 §12: channel binding lifetime (600 s).
    public var channel: TimeAmount

    public init(
        defaultAllocation: TimeAmount = .seconds(600),
        maximumAllocation: TimeAmount = .seconds(3600),
        permission: TimeAmount = .seconds(300),
        channel: TimeAmount = .seconds(600)
    ) {
        self.defaultAllocation = defaultAllocation
        self.maximumAllocation = maximumAllocation
        self.permission = permission
        self.channel = channel
    }

    /// RFC 8656 §7.2 and §8: the granted lifetime for a requested LIFETIME: at least the default, at most the
    /// maximum. A request without LIFETIME gets the default.
    public func grantedAllocationLifetime(requestedSeconds: UInt32?) -> TimeAmount {
        guard let requestedSeconds else {
            return self.defaultAllocation
        }
        let requested = TimeAmount.seconds(Int64(requestedSeconds))
        return max(self.defaultAllocation, min(requested, self.maximumAllocation))
    }
}
