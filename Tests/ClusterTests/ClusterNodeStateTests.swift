import Dialects
import NIOCore
import SignalingServer
import SocketIOCodec
import Testing

@testable import Cluster

/// The membership and ordering decisions of a node (docs/cluster.md#membership), without a database or a clock.
@Suite struct ClusterNodeStateTests {
    private let start = ContinuousClock.now

    private func at(_ seconds: Double) -> ContinuousClock.Instant {
        self.start + .milliseconds(Int(seconds * 1000))
    }

    private func synced(_ name: String = "a", alone: Bool = true) -> ClusterNodeState {
        var node = ClusterNodeState(name: name, nodeTimeout: .seconds(5))
        node.start(alone: alone)
        _ = node.received(.hello(node: name), at: self.at(0))
        return node
    }

    @Test func nothingBeforeItsOwnHelloIsApplied() {
        var node = ClusterNodeState(name: "a", nodeTimeout: .seconds(5))
        node.start(alone: true)
        let early = ClusterMessage.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "x"))
        #expect(node.received(early, at: self.at(0)) == [])
        #expect(node.received(.hello(node: "a"), at: self.at(0)) == [])
        #expect(node.isSynced)
        #expect(
            node.received(early, at: self.at(0)) == [
                .apply(scope: "s", event: .chatroomConnected(socketID: "x"), origin: .otherNode)
            ]
        )
        let own = ClusterMessage.event(node: "a", scope: "s", event: .rawClosed(connection: "c"))
        #expect(
            node.received(own, at: self.at(0)) == [
                .apply(scope: "s", event: .rawClosed(connection: "c"), origin: .thisNode)
            ]
        )
    }

    @Test func aSilentNodeIsReportedOnceAndItsClientsDepartWhenTheReportComesBack() {
        var node = self.synced()
        _ = node.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(1))
        _ = node.received(
            .event(node: "b", scope: "w", event: .rawReceived(connection: "c", text: "{}")),
            at: self.at(1)
        )
        _ = node.received(
            .event(node: "b", scope: "s", event: .legacyConnected(socketID: "gone", pinned: .undecided)),
            at: self.at(1)
        )
        _ = node.received(.event(node: "b", scope: "s", event: .legacyDisconnected(socketID: "gone")), at: self.at(1))
        #expect(node.tick(at: self.at(5.5)) == [])
        #expect(node.tick(at: self.at(6.5)) == [.publish(.nodeDown(node: "a", down: "b"))])
        #expect(node.tick(at: self.at(7.5)) == [])
        let down = node.received(.nodeDown(node: "c", down: "b"), at: self.at(8))
        #expect(
            down == [
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "x"), origin: .cluster),
                .apply(scope: "w", event: .rawClosed(connection: "c"), origin: .cluster),
            ]
        )
        // A second report, and the dead node's late messages, change nothing.
        #expect(node.received(.nodeDown(node: "a", down: "b"), at: self.at(8)) == [])
        #expect(
            node.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "y")), at: self.at(8)) == []
        )
        // Any message is a sign of life: c, silent since its report, is reported in turn, and b is not again.
        #expect(node.tick(at: self.at(30)) == [.publish(.nodeDown(node: "a", down: "c"))])
    }

    @Test func aNodeThatSaysHelloAgainStartsOverAndGetsTheRooms() {
        var node = self.synced()
        _ = node.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(1))
        #expect(
            node.received(.hello(node: "b"), at: self.at(2)) == [
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "x"), origin: .cluster),
                .sendSnapshot(for: "b"),
            ]
        )
        #expect(
            node.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "y")), at: self.at(3)).count
                == 1
        )
    }

    @Test func onlyTheNodeAHelloAsksSendsTheRooms() {
        var asked = self.synced("a")
        var other = self.synced("c")
        let hello = ClusterMessage.hello(node: "b", responder: "a")
        #expect(asked.received(hello, at: self.at(1)) == [.sendSnapshot(for: "b")])
        #expect(other.received(hello, at: self.at(1)) == [])
        // The others still let the clients of the newcomer's previous run depart.
        _ = other.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(2))
        #expect(
            other.received(hello, at: self.at(3)) == [
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "x"), origin: .cluster)
            ]
        )
    }

    @Test func aJoiningNodeKeepsWhatFollowsItsHelloUntilTheSnapshot() throws {
        var helper = self.synced("a")
        _ = helper.received(.event(node: "a", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(1))
        var joiner = ClusterNodeState(name: "b", nodeTimeout: .seconds(5))
        joiner.start(alone: false)
        #expect(
            joiner.received(.event(node: "a", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(1))
                == []
        )
        #expect(joiner.received(.hello(node: "b"), at: self.at(2)) == [])
        #expect(!joiner.isSynced)
        let after = ClusterMessage.event(
            node: "a",
            scope: "s",
            event: .chatroomReceived(socketID: "x", event: "e", arguments: [])
        )
        #expect(joiner.received(after, at: self.at(3)) == [])
        let snapshot: JSONValue = ["owners": helper.ownersJSON, "scopes": ["s": "state"]]
        // A snapshot for another node is not this one's.
        #expect(joiner.received(.snapshot(node: "a", for: "c", scopes: snapshot), at: self.at(3)) == [])
        let restored = joiner.received(.snapshot(node: "a", for: "b", scopes: snapshot), at: self.at(4))
        #expect(
            restored == [
                .restore(scopes: ["s": "state"]),
                .apply(
                    scope: "s",
                    event: .chatroomReceived(socketID: "x", event: "e", arguments: []),
                    origin: .otherNode
                ),
            ]
        )
        #expect(joiner.isSynced)
        // It knows the owner of x from the snapshot: a's death makes x depart.
        #expect(
            joiner.received(.nodeDown(node: "b", down: "a"), at: self.at(5)) == [
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "x"), origin: .cluster)
            ]
        )
        // A second snapshot changes nothing.
        #expect(joiner.received(.snapshot(node: "c", for: "b", scopes: snapshot), at: self.at(6)) == [])
    }

    @Test func aNodeReportedDownItselfIsEvicted() {
        var node = self.synced()
        #expect(node.received(.nodeDown(node: "b", down: "a"), at: self.at(1)) == [.evicted])
        #expect(!node.isSynced)
        #expect(node.received(.event(node: "b", scope: "s", event: .rawClosed(connection: "c")), at: self.at(2)) == [])
    }

    @Test func isolationLetsEveryOtherNodesClientsDepart() {
        var node = self.synced()
        _ = node.received(.event(node: "a", scope: "s", event: .chatroomConnected(socketID: "mine")), at: self.at(1))
        _ = node.received(.event(node: "c", scope: "s", event: .chatroomConnected(socketID: "y")), at: self.at(1))
        _ = node.received(.event(node: "b", scope: "s", event: .chatroomConnected(socketID: "x")), at: self.at(1))
        #expect(
            node.isolate() == [
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "x"), origin: .cluster),
                .apply(scope: "s", event: .chatroomDisconnected(socketID: "y"), origin: .cluster),
            ]
        )
        #expect(!node.isSynced)
        #expect(node.tick(at: self.at(60)) == [])
    }

    @Test func anotherNodesBroadcastIsDeliveredInEveryPhaseButItsOwnIsNot() {
        let broadcast = SocketIOBroadcast(namespace: "/", rooms: ["r"], except: ["s1"], event: "news", arguments: [1])
        var node = ClusterNodeState(name: "a", nodeTimeout: .seconds(5))
        #expect(node.received(.broadcast(node: "b", scope: "s", broadcast: broadcast), at: self.at(0)) == [])
        node.start(alone: false)
        #expect(
            node.received(.broadcast(node: "b", scope: "s", broadcast: broadcast), at: self.at(0)) == [
                .deliver(scope: "s", broadcast: broadcast)
            ]
        )
        #expect(node.received(.broadcast(node: "a", scope: "s", broadcast: broadcast), at: self.at(0)) == [])
        _ = node.received(.hello(node: "a"), at: self.at(0))
        #expect(node.received(.broadcast(node: "b", scope: "s", broadcast: broadcast), at: self.at(0)).count == 1)
        _ = node.received(.snapshot(node: "b", for: "a", scopes: ["owners": [:], "scopes": [:]]), at: self.at(1))
        _ = node.received(.nodeDown(node: "a", down: "b"), at: self.at(9))
        #expect(node.received(.broadcast(node: "b", scope: "s", broadcast: broadcast), at: self.at(9)) == [])
    }

    @Test(arguments: [
        ClusterMessage.broadcast(
            node: "a",
            scope: "socket.io:/socket.io/",
            broadcast: SocketIOBroadcast(
                namespace: "/chat",
                rooms: ["r1", "r2"],
                except: ["x"],
                event: "news",
                arguments: ["a", .binary(ByteBuffer(bytes: [1, 2])), ["\u{1}b": "not binary"]]
            )
        ),
        ClusterMessage.event(node: "a", scope: "socket.io:/x", event: .rawClosed(connection: "c")),
        .heartbeat(node: "a"), .nodeDown(node: "a", down: "b"), .hello(node: "a"), .hello(node: "a", responder: "b"),
        .snapshot(node: "a", for: "b", scopes: ["owners": [:], "scopes": [:]]),
    ])
    func messagesRoundTripThroughJSON(_ message: ClusterMessage) throws {
        #expect(ClusterMessage(json: try JSONValue(parsing: message.json.serialized())) == message)
    }
}
