import NIOCore
import Testing

@testable import SocketIOCodec

@Suite("Socket.IO binary attachments")
struct BinaryReassemblerTests {
    private static let p0 = #"{"_placeholder":true,"num":0}"#
    private static let p1 = #"{"_placeholder":true,"num":1}"#

    private func expectDelivered(_ action: SocketIOBinaryReassembler.Action) -> SocketIOAssembledPacket? {
        guard case .deliver(let packet) = action else {
            Issue.record("expected a delivered packet, got \(action)")
            return nil
        }
        return packet
    }

    @Test("the v5 suite's binary event, in order")
    func inOrder() throws {
        var reassembler = SocketIOBinaryReassembler()
        let header = #"52-["message",\#(Self.p0),\#(Self.p1)]"#
        #expect(try reassembler.receive(.text(header), version: .v5) == .awaitAttachments(remaining: 2))
        #expect(reassembler.isReassembling)
        #expect(
            try reassembler.receive(.binary(ByteBuffer(bytes: [1, 2, 3])), version: .v5)
                == .awaitAttachments(remaining: 1)
        )
        let action = try reassembler.receive(.binary(ByteBuffer(bytes: [4, 5, 6])), version: .v5)
        #expect(!reassembler.isReassembling)
        let packet = try #require(self.expectDelivered(action))
        #expect(packet.packet.type == .binaryEvent)
        #expect(packet.packet.payload == #"["message",\#(Self.p0),\#(Self.p1)]"#)
        #expect(packet.attachments == [ByteBuffer(bytes: [1, 2, 3]), ByteBuffer(bytes: [4, 5, 6])])
        #expect(
            packet.data == ["message", .binary(ByteBuffer(bytes: [1, 2, 3])), .binary(ByteBuffer(bytes: [4, 5, 6]))]
        )
        #expect(packet.eventName == "message")
        #expect(packet.arguments == [.binary(ByteBuffer(bytes: [1, 2, 3])), .binary(ByteBuffer(bytes: [4, 5, 6]))])

        // The echo the suite expects: `452-["message-back",{…0},{…1}]` then the two buffers.
        let echo = SocketIOAssembledPacket.event("message-back", packet.arguments)
        #expect(
            echo.engineIOMessages == [
                .text(#"52-["message-back",\#(Self.p0),\#(Self.p1)]"#),
                .binary(ByteBuffer(bytes: [1, 2, 3])),
                .binary(ByteBuffer(bytes: [4, 5, 6])),
            ]
        )
    }

    @Test("binary event with an ack id, answered by a binary ack (v5 suite)")
    func withAck() throws {
        var reassembler = SocketIOBinaryReassembler()
        _ = try reassembler.receive(
            SocketIOPacket(decoding: #"52-789["message-with-ack",\#(Self.p0),\#(Self.p1)]"#)
        )
        _ = try reassembler.receive(attachment: ByteBuffer(bytes: [1, 2, 3]))
        let packet = try #require(
            self.expectDelivered(try reassembler.receive(attachment: ByteBuffer(bytes: [4, 5, 6])))
        )
        #expect(packet.packet.ackID == 789)
        let ack = SocketIOAssembledPacket.ack(789, packet.arguments)
        #expect(ack.packet.encoded() == #"62-789[\#(Self.p0),\#(Self.p1)]"#)
        #expect(ack.attachments.count == 2)
    }

    @Test("non-binary packets are delivered at once, with their data parsed")
    func plain() throws {
        var reassembler = SocketIOBinaryReassembler()
        let packet = try #require(
            self.expectDelivered(try reassembler.receive(.text(#"2/admin,12["hello",1,{"a":[true]}]"#), version: .v5))
        )
        #expect(packet.packet.namespace == "/admin")
        #expect(packet.eventName == "hello")
        #expect(packet.arguments == [1, ["a": [true]]])
        #expect(packet.attachments.isEmpty)
        let connect = try #require(self.expectDelivered(try reassembler.receive(.text("0"), version: .v5)))
        #expect(connect.data == nil)
        #expect(connect.eventName == nil)
        #expect(connect.arguments == [])
    }

    @Test("placeholders anywhere, in any order, referenced twice or not at all")
    func placeholdersAnywhere() throws {
        var reassembler = SocketIOBinaryReassembler()
        let header =
            #"53-["x",{"a":[\#(Self.p1)],"b":{"_placeholder":true,"num":0,"extra":1}},\#(Self.p1),{"_placeholder":false,"num":0}]"#
        _ = try reassembler.receive(.text(header), version: .v5)
        _ = try reassembler.receive(attachment: ByteBuffer(bytes: [0]))
        _ = try reassembler.receive(attachment: ByteBuffer(bytes: [1]))
        let packet = try #require(self.expectDelivered(try reassembler.receive(attachment: ByteBuffer(bytes: [2]))))
        let expected: JSONValue = [
            "x",
            ["a": [.binary(ByteBuffer(bytes: [1]))], "b": .binary(ByteBuffer(bytes: [0]))],
            .binary(ByteBuffer(bytes: [1])),
            ["_placeholder": false, "num": 0],
        ]
        #expect(packet.data == expected)
    }

    @Test("too many attachments")
    func tooMany() throws {
        var reassembler = SocketIOBinaryReassembler()
        #expect(throws: SocketIOCodecError.tooManyAttachments) {
            try reassembler.receive(.text(#"511-["a"]"#), version: .v5)
        }
        #expect(!reassembler.isReassembling)
        #expect(try reassembler.receive(.text(#"510-["a"]"#), version: .v5) == .awaitAttachments(remaining: 10))

        var strict = SocketIOBinaryReassembler(maxAttachments: 2)
        #expect(throws: SocketIOCodecError.tooManyAttachments) {
            try strict.receive(.text(#"53-["a"]"#), version: .v5)
        }
        #expect(throws: SocketIOCodecError.invalidAttachmentCount) {
            try strict.receive(SocketIOPacket(type: .binaryEvent, payload: #"["a"]"#, attachmentCount: 0))
        }
    }

    /// Headers whose placeholders are wrong, each with one attachment.
    static let badPlaceholders: [(String, SocketIOCodecError)] = [
        (#"51-["a",{"_placeholder":true,"num":1}]"#, .placeholderOutOfRange),
        (#"51-["a",{"_placeholder":true,"num":1e20}]"#, .placeholderOutOfRange),
        (#"51-["a",{"_placeholder":true}]"#, .invalidPlaceholder),
        (#"51-["a",{"_placeholder":true,"num":"0"}]"#, .invalidPlaceholder),
        (#"51-["a",{"_placeholder":true,"num":-1}]"#, .invalidPlaceholder),
        (#"51-["a",{"_placeholder":true,"num":0.5}]"#, .invalidPlaceholder),
        (#"51-["a",{"_placeholder":true,"num":null}]"#, .invalidPlaceholder),
        (#"61-3[[[{"_placeholder":true,"num":7}]]]"#, .placeholderOutOfRange),
    ]

    @Test("malformed placeholders are errors", arguments: badPlaceholders)
    func placeholderErrors(header: String, error: SocketIOCodecError) throws {
        var reassembler = SocketIOBinaryReassembler()
        #expect(try reassembler.receive(.text(header), version: .v5) == .awaitAttachments(remaining: 1))
        #expect(throws: error) {
            try reassembler.receive(.binary(ByteBuffer(bytes: [1])), version: .v5)
        }
        #expect(!reassembler.isReassembling)
    }

    @Test("out-of-sequence messages")
    func outOfSequence() throws {
        var reassembler = SocketIOBinaryReassembler()
        #expect(throws: SocketIOCodecError.unexpectedAttachment) {
            try reassembler.receive(.binary(ByteBuffer(bytes: [1])), version: .v5)
        }
        _ = try reassembler.receive(.text(#"51-["a",\#(Self.p0)]"#), version: .v5)
        #expect(throws: SocketIOCodecError.unexpectedPacketDuringReassembly) {
            try reassembler.receive(.text(#"2["b"]"#), version: .v5)
        }
        // After an error the reassembler starts over.
        #expect(!reassembler.isReassembling)
        #expect(throws: SocketIOCodecError.unexpectedAttachment) {
            try reassembler.receive(attachment: ByteBuffer(bytes: [1]))
        }
        _ = try reassembler.receive(.text(#"51-["a",\#(Self.p0)]"#), version: .v5)
        #expect(throws: SocketIOCodecError.unexpectedPacketDuringReassembly) {
            try reassembler.receive(SocketIOPacket(type: .event, payload: #"["b"]"#))
        }
        _ = try reassembler.receive(.text(#"51-["a",\#(Self.p0)]"#), version: .v5)
        reassembler.reset()
        #expect(!reassembler.isReassembling)
    }

    @Test("deconstruction numbers placeholders depth-first in JSON order")
    func deconstruction() throws {
        let value: JSONValue = [
            "x",
            [
                "b": .binary(ByteBuffer(bytes: [0])),
                "a": [.binary(ByteBuffer(bytes: [1])), .binary(ByteBuffer(bytes: [2]))],
            ],
            .binary(ByteBuffer(bytes: [3])),
        ]
        #expect(value.containsBinary)
        let (stripped, attachments) = value.extractingAttachments()
        #expect(!stripped.containsBinary)
        #expect(
            stripped.serialized()
                == #"["x",{"b":{"_placeholder":true,"num":0},"a":[{"_placeholder":true,"num":1},{"_placeholder":true,"num":2}]},{"_placeholder":true,"num":3}]"#
        )
        #expect(attachments.map(\.bytes) == [[0], [1], [2], [3]])
        #expect(try stripped.insertingAttachments(attachments) == value)
    }

    @Test("outbound packets switch to binary types only when the data holds bytes")
    func outbound() {
        #expect(SocketIOAssembledPacket.event("hello", [1]).packet.encoded() == #"2["hello",1]"#)
        #expect(
            SocketIOAssembledPacket.event("hello", namespace: "/admin", ackID: 3).packet.encoded()
                == #"2/admin,3["hello"]"#
        )
        #expect(SocketIOAssembledPacket.ack(12, []).packet.encoded() == "312[]")
        // Socket.IO v5 §"Packet encoding": `51-["baz",{…}]` + <01 02 03 04>.
        let binary = SocketIOAssembledPacket.event("baz", [.binary(ByteBuffer(bytes: [1, 2, 3, 4]))])
        #expect(binary.packet.encoded() == #"51-["baz",\#(Self.p0)]"#)
        #expect(binary.engineIOMessages.count == 2)
        // Socket.IO v5 §"Sample session": `461-/admin,1[{…}]` then the attachment.
        let ack = SocketIOAssembledPacket.ack(1, [.binary(ByteBuffer(bytes: [9]))], namespace: "/admin")
        #expect(ack.packet.encoded() == #"61-/admin,1[\#(Self.p0)]"#)
        let connect = SocketIOAssembledPacket(type: .connect, namespace: "/admin", data: ["sid": "x"])
        #expect(connect.packet.encoded() == #"0/admin,{"sid":"x"}"#)
        #expect(SocketIOAssembledPacket(type: .disconnect, data: nil).packet.encoded() == "1")
    }
}
