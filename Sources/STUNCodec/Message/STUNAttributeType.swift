/// A STUN attribute type from the IANA "STUN Attributes" registry. RFC 8489 §14, §18.3; RFC 8656 §18.
///
/// An open registry, so a `RawRepresentable` struct with the known types as static members. Types below 0x8000 are
/// comprehension-required: an agent that does not understand one must reject the message (420 with
/// UNKNOWN-ATTRIBUTES for a request).
public struct STUNAttributeType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit attribute type.
    public var rawValue: UInt16

    /// Creates an attribute type from its number.
    @inlinable
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// RFC 8489 §14: types 0x0000–0x7FFF are comprehension-required, 0x8000–0xFFFF comprehension-optional.
    @inlinable
    public var isComprehensionRequired: Bool {
        self.rawValue < 0x8000
    }

    /// RFC 8489 §14.1 MAPPED-ADDRESS (0x0001).
    public static let mappedAddress = STUNAttributeType(rawValue: 0x0001)
    /// RFC 5780 §7.2 CHANGE-REQUEST (0x0003).
    public static let changeRequest = STUNAttributeType(rawValue: 0x0003)
    /// RFC 8489 §14.3 USERNAME (0x0006).
    public static let username = STUNAttributeType(rawValue: 0x0006)
    /// RFC 8489 §14.5 MESSAGE-INTEGRITY (0x0008).
    public static let messageIntegrity = STUNAttributeType(rawValue: 0x0008)
    /// RFC 8489 §14.8 ERROR-CODE (0x0009).
    public static let errorCode = STUNAttributeType(rawValue: 0x0009)
    /// RFC 8489 §14.13 UNKNOWN-ATTRIBUTES (0x000A).
    public static let unknownAttributes = STUNAttributeType(rawValue: 0x000A)
    /// RFC 8656 §18.1 CHANNEL-NUMBER (0x000C).
    public static let channelNumber = STUNAttributeType(rawValue: 0x000C)
    /// RFC 8656 §18.2 LIFETIME (0x000D).
    public static let lifetime = STUNAttributeType(rawValue: 0x000D)
    /// RFC 8656 §18.3 XOR-PEER-ADDRESS (0x0012).
    public static let xorPeerAddress = STUNAttributeType(rawValue: 0x0012)
    /// RFC 8656 §18.4 DATA (0x0013).
    public static let data = STUNAttributeType(rawValue: 0x0013)
    /// RFC 8489 §14.9 REALM (0x0014).
    public static let realm = STUNAttributeType(rawValue: 0x0014)
    /// RFC 8489 §14.10 NONCE (0x0015).
    public static let nonce = STUNAttributeType(rawValue: 0x0015)
    /// RFC 8656 §18.5 XOR-RELAYED-ADDRESS (0x0016).
    public static let xorRelayedAddress = STUNAttributeType(rawValue: 0x0016)
    /// RFC 8656 §18.6 REQUESTED-ADDRESS-FAMILY (0x0017).
    public static let requestedAddressFamily = STUNAttributeType(rawValue: 0x0017)
    /// RFC 8656 §18.7 EVEN-PORT (0x0018).
    public static let evenPort = STUNAttributeType(rawValue: 0x0018)
    /// RFC 8656 §18.8 REQUESTED-TRANSPORT (0x0019).
    public static let requestedTransport = STUNAttributeType(rawValue: 0x0019)
    /// RFC 8656 §18.9 DONT-FRAGMENT (0x001A).
    public static let dontFragment = STUNAttributeType(rawValue: 0x001A)
    /// RFC 8489 §14.6 MESSAGE-INTEGRITY-SHA256 (0x001C).
    public static let messageIntegritySHA256 = STUNAttributeType(rawValue: 0x001C)
    /// RFC 8489 §14.12 PASSWORD-ALGORITHM (0x001D).
    public static let passwordAlgorithm = STUNAttributeType(rawValue: 0x001D)
    /// RFC 8489 §14.4 USERHASH (0x001E).
    public static let userhash = STUNAttributeType(rawValue: 0x001E)
    /// RFC 8489 §14.2 XOR-MAPPED-ADDRESS (0x0020).
    public static let xorMappedAddress = STUNAttributeType(rawValue: 0x0020)
    /// RFC 8656 §18.10 RESERVATION-TOKEN (0x0022).
    public static let reservationToken = STUNAttributeType(rawValue: 0x0022)
    /// RFC 8445 §16.1 PRIORITY (0x0024).
    public static let priority = STUNAttributeType(rawValue: 0x0024)
    /// RFC 8445 §16.1 USE-CANDIDATE (0x0025).
    public static let useCandidate = STUNAttributeType(rawValue: 0x0025)
    /// RFC 5780 §7.6 PADDING (0x0026).
    public static let padding = STUNAttributeType(rawValue: 0x0026)
    /// RFC 5780 §7.5 RESPONSE-PORT (0x0027).
    public static let responsePort = STUNAttributeType(rawValue: 0x0027)
    /// RFC 6062 §6.2.1 CONNECTION-ID (0x002A).
    public static let connectionID = STUNAttributeType(rawValue: 0x002A)
    /// RFC 8656 §18.11 ADDITIONAL-ADDRESS-FAMILY (0x8000).
    public static let additionalAddressFamily = STUNAttributeType(rawValue: 0x8000)
    /// RFC 8656 §18.12 ADDRESS-ERROR-CODE (0x8001).
    public static let addressErrorCode = STUNAttributeType(rawValue: 0x8001)
    /// RFC 8489 §14.11 PASSWORD-ALGORITHMS (0x8002).
    public static let passwordAlgorithms = STUNAttributeType(rawValue: 0x8002)
    /// RFC 8489 §14.16 ALTERNATE-DOMAIN (0x8003).
    public static let alternateDomain = STUNAttributeType(rawValue: 0x8003)
    /// RFC 8656 §18.13 ICMP (0x8004).
    public static let icmp = STUNAttributeType(rawValue: 0x8004)
    /// RFC 8489 §14.14 SOFTWARE (0x8022).
    public static let software = STUNAttributeType(rawValue: 0x8022)
    /// RFC 8489 §14.15 ALTERNATE-SERVER (0x8023).
    public static let alternateServer = STUNAttributeType(rawValue: 0x8023)
    /// RFC 8489 §14.7 FINGERPRINT (0x8028).
    public static let fingerprint = STUNAttributeType(rawValue: 0x8028)
    /// RFC 8445 §16.1 ICE-CONTROLLED (0x8029).
    public static let iceControlled = STUNAttributeType(rawValue: 0x8029)
    /// RFC 8445 §16.1 ICE-CONTROLLING (0x802A).
    public static let iceControlling = STUNAttributeType(rawValue: 0x802A)
    /// RFC 5780 §7.3 RESPONSE-ORIGIN (0x802B).
    public static let responseOrigin = STUNAttributeType(rawValue: 0x802B)
    /// RFC 5780 §7.4 OTHER-ADDRESS (0x802C).
    public static let otherAddress = STUNAttributeType(rawValue: 0x802C)

    /// The RFC name (`XOR-MAPPED-ADDRESS`) for known types, `0x` and four hex digits for others.
    public var description: String {
        switch self.rawValue {
        case 0x0001: return "MAPPED-ADDRESS"
        case 0x0003: return "CHANGE-REQUEST"
        case 0x0006: return "USERNAME"
        case 0x0008: return "MESSAGE-INTEGRITY"
        case 0x0009: return "ERROR-CODE"
        case 0x000A: return "UNKNOWN-ATTRIBUTES"
        case 0x000C: return "CHANNEL-NUMBER"
        case 0x000D: return "LIFETIME"
        case 0x0012: return "XOR-PEER-ADDRESS"
        case 0x0013: return "DATA"
        case 0x0014: return "REALM"
        case 0x0015: return "NONCE"
        case 0x0016: return "XOR-RELAYED-ADDRESS"
        case 0x0017: return "REQUESTED-ADDRESS-FAMILY"
        case 0x0018: return "EVEN-PORT"
        case 0x0019: return "REQUESTED-TRANSPORT"
        case 0x001A: return "DONT-FRAGMENT"
        case 0x001C: return "MESSAGE-INTEGRITY-SHA256"
        case 0x001D: return "PASSWORD-ALGORITHM"
        case 0x001E: return "USERHASH"
        case 0x0020: return "XOR-MAPPED-ADDRESS"
        case 0x0022: return "RESERVATION-TOKEN"
        case 0x0024: return "PRIORITY"
        case 0x0025: return "USE-CANDIDATE"
        case 0x0026: return "PADDING"
        case 0x0027: return "RESPONSE-PORT"
        case 0x002A: return "CONNECTION-ID"
        case 0x8000: return "ADDITIONAL-ADDRESS-FAMILY"
        case 0x8001: return "ADDRESS-ERROR-CODE"
        case 0x8002: return "PASSWORD-ALGORITHMS"
        case 0x8003: return "ALTERNATE-DOMAIN"
        case 0x8004: return "ICMP"
        case 0x8022: return "SOFTWARE"
        case 0x8023: return "ALTERNATE-SERVER"
        case 0x8028: return "FINGERPRINT"
        case 0x8029: return "ICE-CONTROLLED"
        case 0x802A: return "ICE-CONTROLLING"
        case 0x802B: return "RESPONSE-ORIGIN"
        case 0x802C: return "OTHER-ADDRESS"
        default:
            let hex = String(self.rawValue, radix: 16, uppercase: true)
            return "0x" + String(repeating: "0", count: 4 - hex.count) + hex
        }
    }
}
