import Dialects
import SignalingServer
import SocketIOCodec

/// One entry of the cluster's event log: what a node publishes on the PostgreSQL channel (docs/cluster.md#messages).
/// Its JSON form is an array whose first element names the kind and whose second names the node that sent it.
public enum ClusterMessage: Sendable, Equatable {
    /// A dialect event of a client of `node`, in `scope` (the endpoint whose dialects apply it).
    case event(node: String, scope: String, event: DialectEvent)
    /// A Socket.IO broadcast of `node` to rooms of a namespace of the server of `scope`, for the other nodes' members.
    case broadcast(node: String, scope: String, broadcast: SocketIOBroadcast)
    /// `node` is alive.
    case heartbeat(node: String)
    /// `node` saw no heartbeat of `down` for the node timeout: every node lets `down`'s clients depart.
    case nodeDown(node: String, down: String)
    /// `node` starts (or starts over) and asks `responder` (any node in sync, if `nil`) for the rooms as they are at
    /// this point of the log.
    case hello(node: String, responder: String? = nil)
    /// The rooms as `node` had them when it applied `for`'s hello: scope → the scope's state as JSON.
    case snapshot(node: String, for: String, scopes: JSONValue)

    /// The node that published the message.
    public var node: String {
        switch self {
        case .event(let node, _, _), .broadcast(let node, _, _), .heartbeat(let node), .nodeDown(let node, _),
            .hello(let node, _),
            .snapshot(let node, _, _):
            node
        }
    }

    public var json: JSONValue {
        switch self {
        case .event(let node, let scope, let event):
            ["e", .string(node), .string(scope), event.json]
        case .broadcast(let node, let scope, let broadcast):
            [
                "b", .string(node), .string(scope), .string(broadcast.namespace), .strings(broadcast.rooms.sorted()),
                .strings(broadcast.except.sorted()), .array(broadcast.messages.map(Self.json(message:))),
            ]
        case .heartbeat(let node):
            ["h", .string(node)]
        case .nodeDown(let node, let down):
            ["x", .string(node), .string(down)]
        case .hello(let node, nil):
            ["hello", .string(node)]
        case .hello(let node, let responder?):
            ["hello", .string(node), .string(responder)]
        case .snapshot(let node, let target, let scopes):
            ["s", .string(node), .string(target), scopes]
        }
    }

    /// A broadcast's Engine.IO message in the log: a text message as a string, a binary one as the log's binary
    /// marker (``JSONValue/escapingBinary``).
    private static func json(message: TextOrBinaryMessage) -> JSONValue {
        switch message {
        case .text(let text): .string(text)
        case .binary(let bytes): JSONValue.binary(bytes).escapingBinary
        }
    }

    /// The message ``json(message:)`` made this from; `nil` for anything else.
    private static func message(json: JSONValue) -> TextOrBinaryMessage? {
        if case .string(let text) = json {
            return .text(text)
        }
        guard case .binary(let bytes)? = json.unescapingBinary else {
            return nil
        }
        return .binary(bytes)
    }

    /// The text every serialized broadcast of `node` begins with, and no other message: the kind and the node, up to
    /// the comma after them.
    public static func broadcastPrefix(node: String) -> String {
        String(JSONValue.array(["b", .string(node)]).serialized().dropLast()) + ","
    }

    /// The message of ``json``; `nil` for anything else.
    public init?(json: JSONValue) {
        guard case .array(let fields) = json, fields.count >= 2, let kind = fields[0].stringValue,
            let node = fields[1].stringValue
        else {
            return nil
        }
        switch (kind, fields.count) {
        case ("e", 4):
            guard let scope = fields[2].stringValue, let event = DialectEvent(json: fields[3]) else {
                return nil
            }
            self = .event(node: node, scope: scope, event: event)
        case ("b", 7):
            guard let scope = fields[2].stringValue, let namespace = fields[3].stringValue,
                let rooms = fields[4].strings, let except = fields[5].strings, case .array(let encoded) = fields[6],
                case let messages = encoded.compactMap(Self.message(json:)), messages.count == encoded.count,
                case .text? = messages.first
            else {
                return nil
            }
            self = .broadcast(
                node: node,
                scope: scope,
                broadcast: SocketIOBroadcast(
                    namespace: namespace,
                    rooms: Set(rooms),
                    except: Set(except),
                    messages: messages
                )
            )
        case ("h", 2):
            self = .heartbeat(node: node)
        case ("x", 3):
            guard let down = fields[2].stringValue else {
                return nil
            }
            self = .nodeDown(node: node, down: down)
        case ("hello", 2):
            self = .hello(node: node)
        case ("hello", 3):
            guard let responder = fields[2].stringValue else {
                return nil
            }
            self = .hello(node: node, responder: responder)
        case ("s", 4):
            guard let target = fields[2].stringValue else {
                return nil
            }
            self = .snapshot(node: node, for: target, scopes: fields[3])
        default:
            return nil
        }
    }
}
