/// What a datagram or stream frame holds, judged from its first bytes. RFC 7983 §7; RFC 8656 §12.
public enum PacketKind: Hashable, Sendable {
    /// A STUN message (first byte 0–3, at least 20 bytes, magic cookie present).
    case stun
    /// A TURN ChannelData message (first byte 64–79).
    case channelData
    /// Anything else (including RFC 3489 STUN without the magic cookie); drop it.
    case unknown
}
