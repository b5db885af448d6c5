import SocketIOCodec

/// What the operator status page shows: rooms and members, TURN allocations, relayed traffic, uptime.
/// Served as JSON at `GET /api/status`.
struct StatusSnapshot: Sendable {
    var uptimeSeconds: Int
    var rooms: [(room: String, members: [String])]
    var turnAllocations: Int
    var relayedPacketsToPeer: Int
    var relayedBytesToPeer: Int
    var relayedPacketsToClient: Int
    var relayedBytesToClient: Int

    var json: JSONValue {
        [
            "uptimeSeconds": .number(JSONNumber(self.uptimeSeconds)),
            "rooms": .array(
                self.rooms.map { room in
                    ["name": .string(room.room), "members": .array(room.members.map { .string($0) })]
                }
            ),
            "turn": [
                "allocations": .number(JSONNumber(self.turnAllocations)),
                "packetsToPeer": .number(JSONNumber(self.relayedPacketsToPeer)),
                "bytesToPeer": .number(JSONNumber(self.relayedBytesToPeer)),
                "packetsToClient": .number(JSONNumber(self.relayedPacketsToClient)),
                "bytesToClient": .number(JSONNumber(self.relayedBytesToClient)),
            ],
        ]
    }
}
