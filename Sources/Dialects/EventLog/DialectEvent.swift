import SocketIOCodec

/// One input of a dialect's state machine, in the order the event log gives it (docs/cluster.md#event-log).
///
/// Every node of a cluster applies the same events in the same order to its own copy of the dialects' state, so
/// all copies agree; each node then delivers only to the clients connected to it.
public enum DialectEvent: Sendable, Equatable {
    /// Dialect A: a socket connected.
    case chatroomConnected(socketID: String)
    /// Dialect A: a socket sent an event.
    case chatroomReceived(socketID: String, event: String, arguments: [JSONValue])
    /// Dialect A: a socket went away.
    case chatroomDisconnected(socketID: String)
    /// Dialect A: the reconnect grace of a user ran out.
    case chatroomGraceExpired(userID: String, socketID: String)
    /// Dialects B and D: a socket connected, its dialect pinned by its endpoint or not yet decided.
    case legacyConnected(socketID: String, pinned: LegacyDialectsState.Choice)
    /// Dialects B and D: a socket sent an event.
    case legacyReceived(socketID: String, event: String, arguments: [JSONValue])
    /// Dialects B and D: a socket went away.
    case legacyDisconnected(socketID: String)
    /// Dialect C: a text frame (or a binary frame read as UTF-8) from a connection.
    case rawReceived(connection: String, text: String)
    /// Dialect C: a connection closed.
    case rawClosed(connection: String)

    /// The client this event comes from, and the event that says it went away: what a cluster applies for each
    /// client of a node that stopped. `nil` for the events that end a client or come from no client.
    public var client: (id: String, departure: DialectEvent)? {
        switch self {
        case .chatroomConnected(let id), .chatroomReceived(let id, _, _):
            return (id, .chatroomDisconnected(socketID: id))
        case .legacyConnected(let id, _), .legacyReceived(let id, _, _):
            return (id, .legacyDisconnected(socketID: id))
        case .rawReceived(let id, _):
            return (id, .rawClosed(connection: id))
        case .chatroomDisconnected, .legacyDisconnected, .rawClosed, .chatroomGraceExpired:
            return nil
        }
    }

    /// The client this event says went away.
    public var departedClient: String? {
        switch self {
        case .chatroomDisconnected(let id), .legacyDisconnected(let id), .rawClosed(let id):
            return id
        default:
            return nil
        }
    }
}
