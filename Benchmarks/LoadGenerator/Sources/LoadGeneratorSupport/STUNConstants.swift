/// The STUN and TURN numbers the load generators use (RFC 8489, RFC 8656).
package enum STUNConstant {
    /// RFC 8489 §5.
    package static let magicCookie: UInt32 = 0x2112_A442
    /// Bytes of a STUN header.
    package static let headerSize = 20
}

/// STUN message types: method and class (RFC 8489 §5, RFC 8656 §17).
package enum STUNMessageType {
    package static let allocateRequest: UInt16 = 0x0003
    package static let allocateSuccess: UInt16 = 0x0103
    package static let allocateError: UInt16 = 0x0113
    package static let refreshRequest: UInt16 = 0x0004
    package static let refreshSuccess: UInt16 = 0x0104
    package static let refreshError: UInt16 = 0x0114
    package static let channelBindRequest: UInt16 = 0x0009
    package static let channelBindSuccess: UInt16 = 0x0109
    package static let channelBindError: UInt16 = 0x0119
}

/// STUN attribute types (RFC 8489 §18.3, RFC 8656 §18).
package enum STUNAttributeType {
    package static let username: UInt16 = 0x0006
    package static let messageIntegrity: UInt16 = 0x0008
    package static let errorCode: UInt16 = 0x0009
    package static let channelNumber: UInt16 = 0x000C
    package static let lifetime: UInt16 = 0x000D
    package static let xorPeerAddress: UInt16 = 0x0012
    package static let realm: UInt16 = 0x0014
    package static let nonce: UInt16 = 0x0015
    package static let xorRelayedAddress: UInt16 = 0x0016
    package static let requestedTransport: UInt16 = 0x0019
    package static let xorMappedAddress: UInt16 = 0x0020
}
