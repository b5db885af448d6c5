import NIOCore

/// Binary attachments of Socket.IO packets (Socket.IO v5 §"Packet encoding", socket.io-parser `binary.ts`).
///
/// A packet whose data holds bytes is sent as BINARY_EVENT or BINARY_ACK: each byte buffer in the data is replaced by
/// a placeholder `{"_placeholder":true,"num":N}`, numbered depth-first in JSON order from 0, and the buffers follow
/// the packet as that many binary Engine.IO messages.
extension JSONValue {
    /// Whether the value holds a ``binary(_:)`` anywhere, nested included.
    public var containsBinary: Bool {
        switch self {
        case .binary:
            return true
        case .array(let elements):
            return elements.contains { $0.containsBinary }
        case .object(let object):
            return object.members.contains { $0.value.containsBinary }
        case .null, .bool, .number, .string:
            return false
        }
    }

    /// Deconstructs the value for sending: returns it with every ``binary(_:)`` replaced by a placeholder, and the
    /// buffers in placeholder order.
    ///
    /// `["baz", <01 02>, <03 04>]` becomes `["baz",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]`
    /// with the attachments `[<01 02>, <03 04>]`.
    public func extractingAttachments() -> (value: JSONValue, attachments: [ByteBuffer]) {
        var attachments: [ByteBuffer] = []
        let value = self.replacingBinary(collecting: &attachments)
        return (value, attachments)
    }

    private func replacingBinary(collecting attachments: inout [ByteBuffer]) -> JSONValue {
        switch self {
        case .binary(let buffer):
            let placeholder: JSONObject = [
                "_placeholder": true,
                "num": .number(JSONNumber(attachments.count)),
            ]
            attachments.append(buffer)
            return .object(placeholder)
        case .array(let elements):
            guard self.containsBinary else {
                return self
            }
            return .array(elements.map { $0.replacingBinary(collecting: &attachments) })
        case .object(let object):
            guard self.containsBinary else {
                return self
            }
            return .object(object.mapValues { $0.replacingBinary(collecting: &attachments) })
        case .null, .bool, .number, .string:
            return self
        }
    }

    /// Reconstructs a received value: returns it with every placeholder replaced by its attachment.
    ///
    /// A placeholder is any object whose `_placeholder` member is `true` (its other members are ignored, as in the
    /// reference). Its `num` must be an integer indexing `attachments`. Attachments may be referenced more than once
    /// or not at all, as the reference allows.
    ///
    /// - Throws: ``SocketIOCodecError/invalidPlaceholder`` when `num` is missing or not a non-negative integer,
    ///   ``SocketIOCodecError/placeholderOutOfRange`` when it is past the last attachment.
    public func insertingAttachments(_ attachments: [ByteBuffer]) throws(SocketIOCodecError) -> JSONValue {
        switch self {
        case .array(let elements):
            var rebuilt: [JSONValue] = []
            rebuilt.reserveCapacity(elements.count)
            for element in elements {
                rebuilt.append(try element.insertingAttachments(attachments))
            }
            return .array(rebuilt)
        case .object(let object):
            if object["_placeholder"] == .bool(true) {
                guard let number = object["num"]?.numberValue else {
                    throw SocketIOCodecError.invalidPlaceholder
                }
                guard let index = number.intValue, index >= 0 else {
                    // A fraction or a negative number; a huge integer is merely out of range.
                    let value = number.doubleValue
                    if value.isFinite, value >= 0, value.rounded(.towardZero) == value {
                        throw SocketIOCodecError.placeholderOutOfRange
                    }
                    throw SocketIOCodecError.invalidPlaceholder
                }
                guard index < attachments.count else {
                    throw SocketIOCodecError.placeholderOutOfRange
                }
                return .binary(attachments[index])
            }
            return .object(
                try object.mapValues { value throws(SocketIOCodecError) in
                    try value.insertingAttachments(attachments)
                }
            )
        case .null, .bool, .number, .string, .binary:
            return self
        }
    }
}
