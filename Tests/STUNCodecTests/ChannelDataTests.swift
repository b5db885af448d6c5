import NIOCore
import TestSupport
import Testing

@testable import STUNCodec

/// ChannelData framing (RFC 8656 §12.5), datagram classification (RFC 7983) and stream framing.
@Suite struct ChannelDataTests {
    @Test func decodes() throws {
        let channelData = try ChannelData.decode(hexBuffer("40010005 68656c6c6f"))
        #expect(channelData.channelNumber == 0x4001)
        #expect(channelData.payload == ByteBuffer(string: "hello"))
    }

    @Test func decodesWithPaddingAndTrailingBytes() throws {
        let padded = try ChannelData.decode(hexBuffer("4fff0005 68656c6c6f 000000"))
        #expect(padded.channelNumber == 0x4FFF)
        #expect(padded.payload == ByteBuffer(string: "hello"))
        let trailing = try ChannelData.decode(hexBuffer("40000001 ff 0102030405060708"))
        #expect(trailing.payload == ByteBuffer(bytes: [0xFF]))
    }

    @Test func decodesEmptyPayload() throws {
        let channelData = try ChannelData.decode(hexBuffer("40000000"))
        #expect(channelData.payload.readableBytes == 0)
    }

    @Test func decodesAtANonZeroReaderIndex() throws {
        var buffer = hexBuffer("ffff 40020002 abcd")
        buffer.moveReaderIndex(forwardBy: 2)
        let channelData = try ChannelData.decode(buffer)
        #expect(channelData.channelNumber == 0x4002)
        #expect(channelData.payload == ByteBuffer(bytes: [0xAB, 0xCD]))
    }

    @Test(arguments: [UInt16(0x0000), 0x3FFF, 0x5000, 0x7FFF, 0x8000, 0xFFFF])
    func rejectsChannelsOutsideTheRange(channel: UInt16) {
        var buffer = ByteBuffer()
        buffer.writeMultipleIntegers(channel, UInt16(0))
        #expect(throws: STUNCodecError.invalidChannelNumber) {
            try ChannelData.decode(buffer)
        }
    }

    @Test(arguments: 0..<4)
    func rejectsTruncatedHeaders(length: Int) {
        #expect(throws: STUNCodecError.truncatedChannelData) {
            try ChannelData.decode(ByteBuffer(bytes: [0x40, 0x00, 0x00, 0x01].prefix(length)))
        }
    }

    @Test func rejectsLengthPastTheEnd() {
        #expect(throws: STUNCodecError.truncatedChannelData) {
            try ChannelData.decode(hexBuffer("40010006 68656c6c6f"))
        }
    }

    @Test(arguments: 0...9)
    func encodeRoundTripsWithAndWithoutPadding(payloadLength: Int) throws {
        let payload = ByteBuffer(bytes: (0..<payloadLength).map { UInt8($0 + 1) })
        for padToFourBytes in [false, true] {
            var buffer = ByteBuffer()
            ChannelData.encode(channelNumber: 0x4ABC, payload: payload, into: &buffer, padToFourBytes: padToFourBytes)
            let expectedLength = 4 + (padToFourBytes ? (payloadLength + 3) / 4 * 4 : payloadLength)
            #expect(buffer.readableBytes == expectedLength)
            #expect(buffer.getInteger(at: 2, as: UInt16.self) == UInt16(payloadLength))
            // Padding bytes are zero.
            #expect(buffer.readableBytesView.dropFirst(4 + payloadLength).allSatisfy { $0 == 0 })
            let decoded = try ChannelData.decode(buffer)
            #expect(decoded == ChannelData(channelNumber: 0x4ABC, payload: payload))
            if padToFourBytes {
                #expect(
                    PacketDemultiplexer.streamFrame(in: buffer, acceptingChannelData: true)
                        == .channelData(length: buffer.readableBytes)
                )
            }
        }
    }

    @Test func instanceEncode() {
        var buffer = ByteBuffer()
        ChannelData(channelNumber: 0x4000, payload: ByteBuffer(string: "abc")).encode(
            into: &buffer,
            padToFourBytes: true
        )
        #expect(hexString(buffer.readableBytesView) == "4000000361626300")
    }

    // MARK: - Demultiplexing

    @Test(arguments: [
        STUNVectors.sampleRequest, STUNVectors.sampleIPv4Response, STUNVectors.sampleIPv6Response,
        STUNVectors.sampleLongTermRequest, STUNVectors.sha256LongTermRequest,
    ])
    func classifiesSTUN(vector: [UInt8]) {
        #expect(PacketDemultiplexer.classify(ByteBuffer(bytes: vector)) == .stun)
    }

    @Test func classification() {
        func kind(_ hex: String) -> PacketKind {
            PacketDemultiplexer.classify(hexBuffer(hex))
        }
        #expect(kind("") == .unknown)
        #expect(kind("00") == .unknown)
        // STUN-looking but too short, or without the magic cookie (RFC 3489).
        #expect(kind("000100002112a442b7e7a701bc34d686fa87df") == .unknown)
        #expect(kind("00010000deadbeefb7e7a701bc34d686fa87dfae") == .unknown)
        #expect(kind("03ff00002112a442b7e7a701bc34d686fa87dfae") == .stun)
        #expect(kind("04ff00002112a442b7e7a701bc34d686fa87dfae") == .unknown)
        // ChannelData: first byte 64–79.
        #expect(kind("40000000") == .channelData)
        #expect(kind("4fff0001ff") == .channelData)
        #expect(kind("400000") == .unknown)
        #expect(kind("3fff0000") == .unknown)
        #expect(kind("50000000") == .unknown)
        // DTLS (20–63), RTP/RTCP (128–191), ZRTP (16–19).
        #expect(kind("16fefd0000000000000000000000") == .unknown)
        #expect(kind("80000000000000000000000000000000000000000000") == .unknown)
        #expect(kind("10000000") == .unknown)
    }

    // MARK: - Stream framing

    @Test func streamFrameLengths() {
        func frame(_ hex: String, channelData: Bool = true) -> PacketDemultiplexer.StreamFrame {
            PacketDemultiplexer.streamFrame(in: hexBuffer(hex), acceptingChannelData: channelData)
        }
        #expect(frame("") == .incomplete)
        #expect(frame("00") == .incomplete)
        #expect(frame("000100") == .incomplete)
        #expect(frame("40") == .incomplete)
        // Fewer than 4 bytes wait for the length, whatever the first byte.
        #expect(frame("16") == .incomplete)
        #expect(frame("00010058") == .stun(length: 108))
        #expect(frame("01010000") == .stun(length: 20))
        #expect(frame("00010058", channelData: false) == .stun(length: 108))
        // A STUN length is a multiple of 4 (RFC 8489 §5).
        #expect(frame("00010003") == .invalid)
        #expect(frame("40010005") == .channelData(length: 12))
        #expect(frame("40010008") == .channelData(length: 12))
        #expect(frame("40010000") == .channelData(length: 4))
        #expect(frame("4001ffff") == .channelData(length: 4 + 65536))
        // RFC 5766 channel numbers frame too; the decoder checks the range.
        #expect(frame("50000000") == .channelData(length: 4))
        #expect(frame("7fff0001") == .channelData(length: 8))
        #expect(frame("40010005", channelData: false) == .invalid)
        #expect(frame("47455420", channelData: false) == .invalid)  // "GET "
        #expect(frame("16fefd00") == .invalid)
        #expect(frame("80000000") == .invalid)
        #expect(frame("ff010005") == .invalid)
    }

    @Test func channelDataAcceptanceIsAskedOnlyForChannelData() {
        var asked = 0
        func accepting() -> Bool {
            asked += 1
            return true
        }
        _ = PacketDemultiplexer.streamFrame(in: hexBuffer("00010058"), acceptingChannelData: accepting())
        _ = PacketDemultiplexer.streamFrame(in: hexBuffer("16fefd00"), acceptingChannelData: accepting())
        #expect(asked == 0)
        _ = PacketDemultiplexer.streamFrame(in: hexBuffer("40010005"), acceptingChannelData: accepting())
        #expect(asked == 1)
    }

    @Test func splitsAStream() throws {
        var stream = ByteBuffer(bytes: STUNVectors.sampleRequest)
        ChannelData.encode(
            channelNumber: 0x4001,
            payload: ByteBuffer(string: "hello"),
            into: &stream,
            padToFourBytes: true
        )
        stream.writeBytes(STUNVectors.sampleIPv6Response)
        ChannelData.encode(
            channelNumber: 0x4002,
            payload: ByteBuffer(string: "abcd"),
            into: &stream,
            padToFourBytes: true
        )

        var kinds = [PacketKind]()
        while stream.readableBytes > 0 {
            let length: Int
            switch PacketDemultiplexer.streamFrame(in: stream, acceptingChannelData: true) {
            case .stun(let frameLength), .channelData(let frameLength):
                length = frameLength
            case .incomplete, .invalid:
                Issue.record("the stream does not frame")
                return
            }
            let slice = stream.readSlice(length: length)
            let frame = try #require(slice)
            let kind = PacketDemultiplexer.classify(frame)
            kinds.append(kind)
            switch kind {
            case .stun:
                #expect(try STUNMessage.decode(frame).isFingerprintValid())
            case .channelData:
                #expect(try ChannelData.decode(frame).payload.readableBytes <= 5)
            case .unknown:
                Issue.record("unexpected frame")
            }
        }
        #expect(kinds == [.stun, .channelData, .stun, .channelData])
    }
}
