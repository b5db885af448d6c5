import NIOCore
import STUNCodec

/// The protocol state of one allocation (RFC 8656 §2.2-§2.5, §8, §9, §12): lifetime, permissions and channel
/// bindings. Pure: every method takes `now`, none does I/O, so lifetimes and expiry are tested with synthetic
/// deadlines. The relay handler owns one of these per allocation, on the allocation's event loop.
public struct AllocationState: Sendable {
    /// A channel binding: RFC 8656 §12.
    public struct ChannelBinding: Hashable, Sendable {
        public var peer: TransportAddress
        public var expiry: NIODeadline
    }

    /// The outcome of a ChannelBind request (RFC 8656 §12.2).
    public enum ChannelBindDecision: Equatable, Sendable {
        /// Bound or refreshed.
        case bound
        /// 400: the number is outside the accepted range.
        case invalidChannelNumber
        /// 400: the number is bound to another peer, or the peer to another number.
        case conflictingBinding
    }

    public let lifetimes: TURNLifetimes
    /// Channel numbers ChannelBind accepts: RFC 8656 §12's 0x4000-0x4FFF, or RFC 5766's up to 0x7FFF.
    public let channelNumbers: ClosedRange<UInt16>
    /// When the allocation expires unless refreshed.
    public private(set) var expiry: NIODeadline
    /// A permission: RFC 8656 §9.
    public struct Permission: Hashable, Sendable {
        public var expiry: NIODeadline
        /// The IP is one of the server's own (``PeerAddressPolicy/isServerIP(_:)``): ports matter there, so every
        /// datagram to or from it is checked against the peer policy with its port, not only the IP.
        public var isServerIP: Bool
    }

    /// Installed permissions by peer IP (ports do not matter, RFC 8656 §9).
    public private(set) var permissions: [TransportAddress.IP: Permission] = [:]
    public private(set) var channels: [UInt16: ChannelBinding] = [:]
    public private(set) var channelsByPeer: [TransportAddress: UInt16] = [:]

    public init(
        lifetime: TimeAmount,
        lifetimes: TURNLifetimes,
        now: NIODeadline,
        channelNumbers: ClosedRange<UInt16> = ChannelNumber.validRange
    ) {
        self.lifetimes = lifetimes
        self.channelNumbers = channelNumbers
        self.expiry = now + lifetime
    }

    /// RFC 8656 §7 lifetime left, in whole seconds (for the LIFETIME attribute).
    public func remainingSeconds(now: NIODeadline) -> UInt32 {
        let nanoseconds = max(0, (self.expiry - now).nanoseconds)
        return UInt32(clamping: (nanoseconds + 999_999_999) / 1_000_000_000)
    }

    public func isExpired(now: NIODeadline) -> Bool {
        now >= self.expiry
    }

    /// RFC 8656 §8 Refresh: a new lifetime (0 means delete, which the caller performs).
    public mutating func refresh(lifetime: TimeAmount, now: NIODeadline) {
        self.expiry = now + lifetime
    }

    /// RFC 8656 §9.2: installs or refreshes a permission for `peer`'s IP.
    public mutating func installPermission(for peer: TransportAddress.IP, now: NIODeadline, isServerIP: Bool = false) {
        let expiry = now + self.lifetimes.permission
        self.permissions[peer] = Permission(
            expiry: max(expiry, self.permissions[peer]?.expiry ?? expiry),
            isServerIP: isServerIP
        )
    }

    /// Whether traffic to or from `peer` is allowed: a live permission, or a live channel binding to that IP (a
    /// ChannelBind keeps its peer's permission alive for the channel's lifetime, as coturn does, because clients
    /// such as aioice only rebind every 500 s and never send CreatePermission).
    public func hasPermission(for peer: TransportAddress.IP, now: NIODeadline) -> Bool {
        self.permission(for: peer, now: now) != nil
    }

    /// The live permission for `peer`, if any.
    public func permission(for peer: TransportAddress.IP, now: NIODeadline) -> Permission? {
        guard let permission = self.permissions[peer], now < permission.expiry else {
            return nil
        }
        return permission
    }

    /// RFC 8656 §12.2 ChannelBind rules: a number binds one peer and a peer one number; a rebind of the same pair
    /// refreshes it. Success also installs or refreshes the peer's permission, for the channel lifetime.
    public mutating func bindChannel(
        _ number: UInt16,
        to peer: TransportAddress,
        now: NIODeadline,
        isServerIP: Bool = false
    ) -> ChannelBindDecision {
        guard self.channelNumbers.contains(number) else {
            return .invalidChannelNumber
        }
        if let existing = self.channels[number], existing.peer != peer, now < existing.expiry {
            return .conflictingBinding
        }
        if let existingNumber = self.channelsByPeer[peer], existingNumber != number,
            let existing = self.channels[existingNumber], now < existing.expiry
        {
            return .conflictingBinding
        }
        if let stale = self.channels[number], stale.peer != peer {
            self.channelsByPeer[stale.peer] = nil
        }
        if let staleNumber = self.channelsByPeer[peer], staleNumber != number {
            self.channels[staleNumber] = nil
        }
        let expiry = now + self.lifetimes.channel
        self.channels[number] = ChannelBinding(peer: peer, expiry: expiry)
        self.channelsByPeer[peer] = number
        let permissionExpiry = max(expiry, self.permissions[peer.ip]?.expiry ?? expiry)
        self.permissions[peer.ip] = Permission(expiry: permissionExpiry, isServerIP: isServerIP)
        return .bound
    }

    /// The peer of a live channel binding.
    public func peer(forChannel number: UInt16, now: NIODeadline) -> TransportAddress? {
        guard let binding = self.channels[number], now < binding.expiry else {
            return nil
        }
        return binding.peer
    }

    /// The number of a live channel bound to `peer`.
    public func channel(forPeer peer: TransportAddress, now: NIODeadline) -> UInt16? {
        guard let number = self.channelsByPeer[peer], let binding = self.channels[number], now < binding.expiry else {
            return nil
        }
        return number
    }

    /// What one expiry sweep removed.
    public struct SweepResult: Equatable, Sendable {
        public var expiredPermissions = 0
        public var expiredChannels = 0
    }

    /// Removes expired permissions and channel bindings (RFC 8656 §9 and §12: they are not refreshed by data).
    public mutating func sweep(now: NIODeadline) -> SweepResult {
        var result = SweepResult()
        for (number, binding) in self.channels where now >= binding.expiry {
            self.channels[number] = nil
            if self.channelsByPeer[binding.peer] == number {
                self.channelsByPeer[binding.peer] = nil
            }
            result.expiredChannels += 1
        }
        for (peer, permission) in self.permissions where now >= permission.expiry {
            self.permissions[peer] = nil
            result.expiredPermissions += 1
        }
        return result
    }
}
