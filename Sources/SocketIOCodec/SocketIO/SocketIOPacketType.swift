/// The type of a Socket.IO packet (Socket.IO v5 §"Exchange protocol"; v4 §"Packet types").
public enum SocketIOPacketType: UInt8, Sendable, Hashable, CaseIterable {
    /// Connection to a namespace (request from the client, acceptance from the server).
    case connect = 0
    /// Disconnection from a namespace.
    case disconnect = 1
    /// An event: a non-empty array whose first element is the event name.
    case event = 2
    /// The acknowledgement of an event: an array of arguments.
    case ack = 3
    /// Refusal of a namespace connection (named ERROR in protocol v4).
    case connectError = 4
    /// An event with binary attachments.
    case binaryEvent = 5
    /// An acknowledgement with binary attachments.
    case binaryAck = 6

    /// Whether packets of this type carry `<count>-` and binary attachments.
    public var isBinary: Bool {
        self == .binaryEvent || self == .binaryAck
    }

    /// Whether packets of this type may carry an acknowledgement id.
    public var allowsAckID: Bool {
        switch self {
        case .event, .ack, .binaryEvent, .binaryAck:
            return true
        case .connect, .disconnect, .connectError:
            return false
        }
    }

    /// The type whose ASCII digit is `byte` (`"0"`–`"6"`).
    init?(asciiDigit byte: UInt8) {
        guard byte >= UInt8(ascii: "0") else {
            return nil
        }
        self.init(rawValue: byte - UInt8(ascii: "0"))
    }

    /// The ASCII digit of the type.
    var asciiDigit: UInt8 {
        self.rawValue + UInt8(ascii: "0")
    }
}
