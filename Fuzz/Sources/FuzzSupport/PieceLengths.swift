/// The lengths (1 to 64 bytes) a fuzzed byte stream is cut into before it reaches a stream decoder, so that headers
/// and payloads get split anywhere: a small xorshift generator, seeded from the input, so a saved input replays the
/// same cuts.
public struct PieceLengths: IteratorProtocol, Sequence {
    private var state: UInt32

    public init(seed: UInt8) {
        self.state = UInt32(seed) &* 2_654_435_761 | 1
    }

    public mutating func next() -> Int? {
        self.state ^= self.state << 13
        self.state ^= self.state >> 17
        self.state ^= self.state << 5
        return Int(self.state % 64) + 1
    }
}
