import STUNCodec

/// Allocation quotas (RFC 8656 §7.2: 486 Allocation Quota Reached): per user, per client address and in total.
/// Pure counting; the service shares one behind a lock, touched only when an allocation or an EVEN-PORT reservation
/// is created or ends, never per packet.
///
/// An EVEN-PORT reservation (RFC 8656 §7.2) holds a relay port like an allocation does, so it takes a place of its
/// own until it is claimed or expires; otherwise Allocate-with-reservation followed by Refresh(0) would hold sockets
/// that no quota counts.
public struct QuotaLedger: Sendable {
    /// Who holds a place: the quota user (``userKey(forUsername:)``) and the client's address block.
    public struct Holder: Hashable, Sendable {
        public var user: String
        public var client: TransportAddress.IP

        /// - Parameters:
        ///   - username: the authenticated USERNAME.
        ///   - clientIP: the client's IP (the source of the 5-tuple); IPv6 addresses are counted per /64.
        public init(username: String, clientIP: TransportAddress.IP) {
            self.user = QuotaLedger.userKey(forUsername: username)
            self.client = QuotaLedger.clientBlock(of: clientIP)
        }
    }

    /// Which quota refused a place (the raw values are metric labels).
    public enum Refusal: String, Sendable, CaseIterable {
        case total
        case user
        case clientAddress = "client_address"
    }

    public var perUser: Int
    public var perClientAddress: Int
    public var total: Int
    public private(set) var countsByUser: [String: Int] = [:]
    public private(set) var countsByClient: [TransportAddress.IP: Int] = [:]
    public private(set) var count = 0

    /// - Parameters:
    ///   - perUser: places one quota user may hold at once; 0 means unlimited.
    ///   - perClientAddress: places one client IP (IPv6: /64) may hold at once; 0 means unlimited.
    ///   - total: places the server holds at once; 0 means unlimited.
    public init(perUser: Int, perClientAddress: Int = 0, total: Int) {
        self.perUser = perUser
        self.perClientAddress = perClientAddress
        self.total = total
    }

    /// Takes `places` places for `holder` (an allocation, or an allocation and its reservation), all or none;
    /// returns the quota that refused them, or nil when taken.
    public mutating func acquire(_ holder: Holder, places: Int = 1) -> Refusal? {
        if self.total > 0 && self.count + places > self.total {
            return .total
        }
        let user = self.countsByUser[holder.user, default: 0]
        if self.perUser > 0 && user + places > self.perUser {
            return .user
        }
        let client = self.countsByClient[holder.client, default: 0]
        if self.perClientAddress > 0 && client + places > self.perClientAddress {
            return .clientAddress
        }
        self.countsByUser[holder.user] = user + places
        self.countsByClient[holder.client] = client + places
        self.count += places
        return nil
    }

    /// Gives back one place of `holder`.
    public mutating func release(_ holder: Holder) {
        guard let user = self.countsByUser[holder.user], user > 0,
            let client = self.countsByClient[holder.client], client > 0
        else {
            return
        }
        self.countsByUser[holder.user] = user == 1 ? nil : user - 1
        self.countsByClient[holder.client] = client == 1 ? nil : client - 1
        self.count -= 1
    }

    /// The user a USERNAME counts against: a TURN REST username (`<unix-expiry>:<user>`) counts against its user
    /// part, so that the fresh usernames of one user (a new expiry each time credentials are handed out) share one
    /// quota; any other username counts as itself.
    public static func userKey(forUsername username: String) -> String {
        guard let colon = username.utf8.firstIndex(of: UInt8(ascii: ":")), colon != username.utf8.startIndex,
            username.utf8[..<colon].allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else {
            return username
        }
        return String(username[username.index(after: colon)...])
    }

    /// The block a client address counts in: the IPv4 address itself, or the /64 of an IPv6 address (one
    /// subscriber's prefix). IPv4-mapped IPv6 addresses count as the IPv4 address they are.
    public static func clientBlock(of ip: TransportAddress.IP) -> TransportAddress.IP {
        switch PeerAddressPolicy.canonicalize(TransportAddress(ip: ip, port: 0)).ip {
        case .v4(let value): return .v4(value)
        case .v6(let high, _): return .v6(high, 0)
        }
    }
}
