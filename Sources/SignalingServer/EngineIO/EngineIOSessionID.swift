import Synchronization

/// Generates Engine.IO session ids and Socket.IO socket ids the way the reference does (`base64id`): 15 bytes, 12 of
/// them random and 3 from a wrapping counter, in base64 with `/` → `_` and `+` → `-`, 20 characters.
///
/// The random part comes from `SystemRandomNumberGenerator` (the kernel's CSPRNG), so ids cannot be guessed, which
/// matters because the sid is the only credential of a session (docs/engineio-socketio.md#session-ids). The counter
/// makes two ids of one process distinct even if the random parts collided.
enum EngineIOSessionID {
    private static let counter = Atomic<UInt32>(UInt32.random(in: .min ... .max))

    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8
    )

    /// A new id: 20 URL-safe base64 characters.
    static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: 15)
        for chunk in 0..<3 {
            let random = generator.next() as UInt32
            bytes[chunk * 4] = UInt8(truncatingIfNeeded: random >> 24)
            bytes[chunk * 4 + 1] = UInt8(truncatingIfNeeded: random >> 16)
            bytes[chunk * 4 + 2] = UInt8(truncatingIfNeeded: random >> 8)
            bytes[chunk * 4 + 3] = UInt8(truncatingIfNeeded: random)
        }
        let sequence = EngineIOSessionID.counter.wrappingAdd(1, ordering: .relaxed).newValue
        bytes[12] = UInt8(truncatingIfNeeded: sequence >> 16)
        bytes[13] = UInt8(truncatingIfNeeded: sequence >> 8)
        bytes[14] = UInt8(truncatingIfNeeded: sequence)
        var characters: [UInt8] = []
        characters.reserveCapacity(20)
        for group in 0..<5 {
            let value =
                UInt32(bytes[group * 3]) << 16 | UInt32(bytes[group * 3 + 1]) << 8 | UInt32(bytes[group * 3 + 2])
            characters.append(EngineIOSessionID.alphabet[Int(value >> 18 & 0x3F)])
            characters.append(EngineIOSessionID.alphabet[Int(value >> 12 & 0x3F)])
            characters.append(EngineIOSessionID.alphabet[Int(value >> 6 & 0x3F)])
            characters.append(EngineIOSessionID.alphabet[Int(value & 0x3F)])
        }
        return String(decoding: characters, as: UTF8.self)
    }
}
