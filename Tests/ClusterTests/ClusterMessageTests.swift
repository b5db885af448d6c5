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

    @Test func aBroadcastCarriesThePacketAsTheSenderEncodedIt() throws {
        let broadcast = SocketIOBroadcast(namespace: "/", rooms: ["r"], except: [], event: "news", arguments: ["hi"])
        #expect(broadcast.messages == [.text("2[\"news\",\"hi\"]")])
        let json = ClusterMessage.broadcast(node: "a", scope: "s", broadcast: broadcast).json.serialized()
        #expect(json == "[\"b\",\"a\",\"s\",\"/\",[\"r\"],[],[\"2[\\\"news\\\",\\\"hi\\\"]\"]]")
    }

    @Test(arguments: [
        // No messages, a binary message first, and a message that is neither text nor binary.
        "[\"b\",\"a\",\"s\",\"/\",[],[],[]]",
        "[\"b\",\"a\",\"s\",\"/\",[],[],[{\"\\u0001b\":\"AQI=\"}]]",
        "[\"b\",\"a\",\"s\",\"/\",[],[],[\"2[]\",3]]",
    ])
    func aBroadcastWhosePacketDoesNotStartWithItsTextIsRefused(_ json: String) throws {
        #expect(ClusterMessage(json: try JSONValue(parsing: json)) == nil)
    }
}
