import NIOCore

@testable import SocketIOCodec

extension ByteBuffer {
    /// The readable bytes as an array.
    var bytes: [UInt8] {
        Array(self.readableBytesView)
    }
}
