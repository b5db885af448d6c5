import SignalingServer
import SocketIOCodec
import Testing

@testable import Cluster

@Suite struct ClusterMessageTests {
    private func broadcast(from node: String) -> ClusterMessage {
        .broadcast(
            node: node,
            scope: "/socket.io/",
            broadcast: SocketIOBroadcast(namespace: "/", rooms: ["r"], except: [], event: "news", arguments: [1])
        )
    }

    @Test(arguments: ["node0", "nöde \"quoted\"\\", ""])
    func aNodesBroadcastsAndOnlyThemBeginWithItsBroadcastPrefix(node: String) throws {
        let prefix = ClusterMessage.broadcastPrefix(node: node)
        #expect(self.broadcast(from: node).json.serialized().hasPrefix(prefix))
        // Another node whose name extends this one's, and this node's other messages, do not match.
        #expect(!self.broadcast(from: node + "1").json.serialized().hasPrefix(prefix))
        #expect(!ClusterMessage.heartbeat(node: node).json.serialized().hasPrefix(prefix))
        #expect(!ClusterMessage.hello(node: node, responder: "b").json.serialized().hasPrefix(prefix))
        // The prefix is what a parser reads back as this node's broadcast.
        let parsed = ClusterMessage(json: try JSONValue(parsing: self.broadcast(from: node).json.serialized()))
        #expect(parsed?.node == node)
    }
}
