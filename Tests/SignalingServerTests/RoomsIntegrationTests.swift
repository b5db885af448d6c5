import NIOCore
import SocketIOCodec
import Testing

@testable import SignalingServer

/// Rooms and broadcasts through the public API (socket.io-adapter semantics: the union of the target rooms minus the
/// members of the excepted rooms; `socket.to(room)` leaves the sender out).
@Suite(.timeLimit(.minutes(1))) struct RoomsIntegrationTests {
    /// Three clients on `/`, each in room "a"; the first and second also in "b".
    static func threeClients(_ server: TestServer) async throws -> [TestWebSocket] {
        var sockets: [TestWebSocket] = []
        for index in 0..<3 {
            let socket = try await SocketIOv5ConformanceIntegrationTests.connectedSocket(server)
            socket.send("420[\"join\",\"a\"]")
            #expect(try await socket.receive() == .text("430[\"a\"]"))
            if index < 2 {
                socket.send("421[\"join\",\"b\"]")
                #expect(try await socket.receive() == .text("431[\"b\"]"))
            }
            sockets.append(socket)
        }
        return sockets
    }

    @Test func toRoomReachesTheOtherMembersOnly() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sockets = try await Self.threeClients(server)
            sockets[0].send("425[\"to-room\",\"b\",\"news\",{\"n\":1}]")
            #expect(try await sockets[0].receive() == .text("435[1]"))
            #expect(try await sockets[1].receive() == .text("42[\"news\",{\"n\":1}]"))
            // The third client is not in "b"; the next thing it sees is a broadcast to "a".
            sockets[1].send("426[\"to-room\",\"a\",\"all\"]")
            #expect(try await sockets[1].receive() == .text("436[2]"))
            #expect(try await sockets[2].receive() == .text("42[\"all\"]"))
            #expect(try await sockets[0].receive() == .text("42[\"all\"]"))
            for socket in sockets {
                socket.close()
            }
        }
    }

    @Test func namespaceBroadcastWithExceptionsAndSocketIDRooms() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sockets = try await Self.threeClients(server)
            let namespace = server.io.mainNamespace
            #expect(namespace.sockets(in: "a").count == 3)
            #expect(namespace.sockets(in: "b").count == 2)
            // Everyone in "a" except the members of "b": only the third client.
            namespace.to("a").except("b").emit("only-third", 3)
            #expect(try await sockets[2].receive() == .text("42[\"only-third\",3]"))
            // Each socket is in the room of its own id.
            let third = try #require(namespace.sockets(in: "a").first { !$0.rooms.contains("b") })
            namespace.to(third.id).emit("direct")
            #expect(try await sockets[2].receive() == .text("42[\"direct\"]"))
            // Every socket, bytes included: one BINARY_EVENT and its attachment, encoded once.
            namespace.emit("everyone", .binary(ByteBuffer(bytes: [7])))
            for socket in sockets {
                #expect(
                    try await socket.receive() == .text("451-[\"everyone\",{\"_placeholder\":true,\"num\":0}]")
                )
                #expect(try await socket.receive() == .binary([7]))
            }
            for socket in sockets {
                socket.close()
            }
        }
    }

    /// The room of a socket's own id is implied, not stored: it can still be left, joined again, joined by another
    /// socket, excepted, and outlives its socket only while another member is in it.
    @Test func theOwnRoomCanBeLeftRejoinedSharedAndExcepted() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sockets = try await Self.threeClients(server)
            let namespace = server.io.mainNamespace
            let third = try #require(namespace.sockets(in: "a").first { !$0.rooms.contains("b") })
            let own = third.id
            #expect(third.rooms == ["a", own])
            #expect(namespace.sockets(in: own).map(\.id) == [own])
            #expect(namespace.rooms.roomNames.contains(own))

            sockets[2].send("427[\"leave\",\"\(own)\"]")
            #expect(try await sockets[2].receive() == .text("437[\"\(own)\"]"))
            #expect(third.rooms == ["a"])
            #expect(namespace.sockets(in: own).isEmpty)
            #expect(!namespace.rooms.roomNames.contains(own))
            namespace.to(own).emit("not-for-anyone")
            namespace.to("a").emit("after")
            #expect(try await sockets[2].receive() == .text("42[\"after\"]"))

            // Another socket joins the room named after the third's id; then the third comes back to it.
            #expect(try await sockets[0].receive() == .text("42[\"after\"]"))
            #expect(try await sockets[1].receive() == .text("42[\"after\"]"))
            sockets[0].send("428[\"join\",\"\(own)\"]")
            #expect(try await sockets[0].receive() == .text("438[\"\(own)\"]"))
            #expect(namespace.sockets(in: own).count == 1)
            sockets[2].send("429[\"join\",\"\(own)\"]")
            #expect(try await sockets[2].receive() == .text("439[\"\(own)\"]"))
            #expect(third.rooms == ["a", own])
            #expect(Set(namespace.sockets(in: own).map(\.id)).count == 2)
            namespace.to(own).emit("both")
            #expect(try await sockets[0].receive() == .text("42[\"both\"]"))
            #expect(try await sockets[2].receive() == .text("42[\"both\"]"))

            // Excepting the room leaves out both its members.
            namespace.to("a").except(own).emit("second-only")
            namespace.to("a").emit("all")
            #expect(try await sockets[0].receive() == .text("42[\"all\"]"))
            #expect(try await sockets[1].receive() == .text("42[\"second-only\"]"))
            #expect(try await sockets[2].receive() == .text("42[\"all\"]"))

            // The third leaves; the room stays while the first is in it.
            sockets[2].close()
            #expect(try await server.disconnectReasons.next() == "transport close")
            #expect(namespace.sockets(in: own).count == 1)
            #expect(namespace.rooms.roomNames.contains(own))
            sockets[0].send("4210[\"leave\",\"\(own)\"]")
            #expect(try await sockets[0].receive() == .text("4310[\"\(own)\"]"))
            #expect(!namespace.rooms.roomNames.contains(own))
            sockets[0].close()
            sockets[1].close()
        }
    }

    @Test func disconnectedSocketsLeaveTheirRooms() async throws {
        try await TestSignalingApp.relaxed().run { server in
            let sockets = try await Self.threeClients(server)
            sockets[0].close()
            #expect(try await server.disconnectReasons.next() == "transport close")
            #expect(server.io.mainNamespace.sockets(in: "b").count == 1)
            sockets[1].send("421[\"leave\",\"b\"]")
            #expect(try await sockets[1].receive() == .text("431[\"b\"]"))
            #expect(server.io.mainNamespace.sockets(in: "b").isEmpty)
            #expect(!server.io.mainNamespace.rooms.roomNames.contains("b"))
            sockets[1].close()
            sockets[2].close()
        }
    }
}

/// The room directory alone.
@Suite struct RoomDirectoryTests {
    @Test func emptyRoomsDisappearAndTargetsAreDeduplicated() {
        let directory = RoomDirectory()
        #expect(directory.targets(rooms: ["x"], except: []).isEmpty)
        directory.leave(socketID: "nobody", room: "x")
        #expect(directory.roomNames.isEmpty)
    }
}
