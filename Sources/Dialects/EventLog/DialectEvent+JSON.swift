import NIOCore
import SocketIOCodec

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension DialectEvent {
    /// The event as JSON, `[tag, fields…]`, for the cluster's event log. Binary arguments become
    /// ``JSONValue/binaryMarker`` objects; an object key that starts with the marker's first character gets one more
    /// in front, so no client's JSON can pass for binary.
    public var json: JSONValue {
        switch self {
        case .chatroomConnected(let socketID):
            return ["ac", .string(socketID)]
        case .chatroomReceived(let socketID, let event, let arguments):
            return ["ar", .string(socketID), .string(event), .array(arguments.map(\.escapingBinary))]
        case .chatroomDisconnected(let socketID):
            return ["ad", .string(socketID)]
        case .chatroomGraceExpired(let userID, let socketID):
            return ["ag", .string(userID), .string(socketID)]
        case .legacyConnected(let socketID, let pinned):
            return ["lc", .string(socketID), .string(pinned.tag)]
        case .legacyReceived(let socketID, let event, let arguments):
            return ["lr", .string(socketID), .string(event), .array(arguments.map(\.escapingBinary))]
        case .legacyDisconnected(let socketID):
            return ["ld", .string(socketID)]
        case .rawReceived(let connection, let text):
            return ["cr", .string(connection), .string(text)]
        case .rawClosed(let connection):
            return ["cd", .string(connection)]
        }
    }

    /// The event of ``json``; `nil` for anything else.
    public init?(json: JSONValue) {
        guard case .array(let fields) = json, let tag = fields.first?.stringValue else {
            return nil
        }
        let strings = fields.dropFirst().map(\.stringValue)
        func string(_ index: Int) -> String? {
            index < strings.count ? strings[index] : nil
        }
        func arguments(_ index: Int) -> [JSONValue]? {
            guard index + 1 < fields.count, case .array(let values)? = fields[index + 1].unescapingBinary else {
                return nil
            }
            return values
        }
        switch (tag, fields.count) {
        case ("ac", 2):
            guard let id = string(0) else { return nil }
            self = .chatroomConnected(socketID: id)
        case ("ar", 4):
            guard let id = string(0), let event = string(1), let arguments = arguments(2) else { return nil }
            self = .chatroomReceived(socketID: id, event: event, arguments: arguments)
        case ("ad", 2):
            guard let id = string(0) else { return nil }
            self = .chatroomDisconnected(socketID: id)
        case ("ag", 3):
            guard let user = string(0), let id = string(1) else { return nil }
            self = .chatroomGraceExpired(userID: user, socketID: id)
        case ("lc", 3):
            guard let id = string(0), let pinned = string(1).flatMap(LegacyDialectsState.Choice.init(tag:)) else {
                return nil
            }
            self = .legacyConnected(socketID: id, pinned: pinned)
        case ("lr", 4):
            guard let id = string(0), let event = string(1), let arguments = arguments(2) else { return nil }
            self = .legacyReceived(socketID: id, event: event, arguments: arguments)
        case ("ld", 2):
            guard let id = string(0) else { return nil }
            self = .legacyDisconnected(socketID: id)
        case ("cr", 3):
            guard let id = string(0), let text = string(1) else { return nil }
            self = .rawReceived(connection: id, text: text)
        case ("cd", 2):
            guard let id = string(0) else { return nil }
            self = .rawClosed(connection: id)
        default:
            return nil
        }
    }
}

extension JSONValue {
    /// The key of the one-member object that stands for binary data in the event log's JSON: `{"\u{1}b":"<base64>"}`.
    public static let binaryMarker = "\u{1}b"

    /// This value with binary data as marker objects and marker-like keys escaped.
    public var escapingBinary: JSONValue {
        switch self {
        case .binary(let bytes):
            return .object(
                JSONObject([(Self.binaryMarker, .string(Data(bytes.readableBytesView).base64EncodedString()))])
            )
        case .array(let values):
            return .array(values.map(\.escapingBinary))
        case .object(let object):
            return .object(
                JSONObject(
                    object.members.map { member in
                        (member.key.hasPrefix("\u{1}") ? "\u{1}" + member.key : member.key, member.value.escapingBinary)
                    }
                )
            )
        case .null, .bool, .number, .string:
            return self
        }
    }

    /// The value ``escapingBinary`` made this from; `nil` when a marker's base64 is not valid.
    public var unescapingBinary: JSONValue? {
        switch self {
        case .array(let values):
            let unescaped = values.compactMap(\.unescapingBinary)
            return unescaped.count == values.count ? .array(unescaped) : nil
        case .object(let object):
            if object.count == 1, let member = object.first, member.key == Self.binaryMarker {
                guard let base64 = member.value.stringValue, let data = Data(base64Encoded: base64) else {
                    return nil
                }
                return .binary(ByteBuffer(bytes: data))
            }
            var members: [(String, JSONValue)] = []
            members.reserveCapacity(object.count)
            for member in object.members {
                guard let value = member.value.unescapingBinary else {
                    return nil
                }
                members.append((member.key.hasPrefix("\u{1}") ? String(member.key.dropFirst()) : member.key, value))
            }
            return .object(JSONObject(members))
        case .null, .bool, .number, .string, .binary:
            return self
        }
    }
}
