import Dialects
import NIOCore

/// The `dialects.*` keys: which seed protocol a Socket.IO client speaks, room limits and the raw-WebSocket
/// dialect's path and port.
public struct DialectsConfiguration: Sendable {
    public typealias Selection = SignalingDialectsConfiguration.Selection

    /// `dialects.selection`
    public var selection: Selection
    /// `dialects.pinnedPaths`: extra Socket.IO paths (ending in `/`), each pinned to one dialect.
    public var pinnedPaths: [(path: String, dialect: Selection)]
    /// `dialects.chatroomGraceMilliseconds`
    public var chatroomGraceMilliseconds: Int
    /// `dialects.maxMembersPerRoom`
    public var maxMembersPerRoom: Int
    /// `dialects.eventsPerSecond`
    public var eventsPerSecond: Int
    /// `dialects.rawWebSocketPath`; nil when empty.
    public var rawWebSocketPath: String?
    /// `dialects.rawWebSocketPort`; 0 is off.
    public var rawWebSocketPort: Int
    /// Where `dialects.rawWebSocketPort` was set, for the error when it cannot be bound.
    public var rawWebSocketPortOrigin: ConfigurationOrigin

    init(_ values: ConfigurationValues) throws(ConfigurationError) {
        self.selection = try values.choice("dialects.selection", Selection.init(rawValue:))
        self.pinnedPaths = try Self.pinnedPaths(values)
        self.chatroomGraceMilliseconds = try values.integer("dialects.chatroomGraceMilliseconds")
        self.maxMembersPerRoom = try values.integer("dialects.maxMembersPerRoom")
        self.eventsPerSecond = try values.integer("dialects.eventsPerSecond")
        self.rawWebSocketPath = try values.optionalString("dialects.rawWebSocketPath")
        self.rawWebSocketPort = try values.integer("dialects.rawWebSocketPort")
        self.rawWebSocketPortOrigin = values.origin("dialects.rawWebSocketPort")
    }

    /// The settings of the dialects on one Socket.IO path.
    func configuration(selection: Selection) -> SignalingDialectsConfiguration {
        SignalingDialectsConfiguration(
            selection: selection,
            chatroomGrace: .milliseconds(Int64(self.chatroomGraceMilliseconds)),
            maxMembersPerRoom: self.maxMembersPerRoom,
            eventsPerSecond: self.eventsPerSecond
        )
    }

    /// Each entry is `PATH=DIALECT`; a path gets a trailing `/`. `auto` cannot be pinned.
    private static func pinnedPaths(
        _ values: ConfigurationValues
    ) throws(ConfigurationError) -> [(path: String, dialect: Selection)] {
        var pinned: [(path: String, dialect: Selection)] = []
        for entry in try values.list("dialects.pinnedPaths") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0].hasPrefix("/"), let dialect = Selection(rawValue: parts[1]),
                dialect != .auto
            else {
                throw values.error(
                    "dialects.pinnedPaths",
                    "'\(entry)' is not PATH=DIALECT with a path starting with / and a dialect among "
                        + "chatroom, webrtcroom, socketim"
                )
            }
            pinned.append((parts[0].hasSuffix("/") ? parts[0] : parts[0] + "/", dialect))
        }
        return pinned
    }
}
