import LoadGeneratorSupport

/// What one thread saw during the load and drain periods.
struct FloodResult: Sendable {
    /// ChannelData messages sent.
    var sent: UInt64 = 0
    /// Datagrams received, valid or not.
    var received: UInt64 = 0
    /// Echoes of messages in flight: right channel, length and content.
    var valid: UInt64 = 0
    /// Valid echoes received before the end of the load period (the rates count these).
    var validDuringLoad: UInt64 = 0
    /// Echoes of messages already answered or given up (duplicates, or later than the timeout).
    var late: UInt64 = 0
    /// Datagrams that are not an echo of a message sent: STUN messages, other channels, wrong length or content.
    var invalid: UInt64 = 0
    /// Messages given up after the timeout.
    var timedOut: UInt64 = 0
    /// Messages still unanswered after the drain period.
    var unansweredAtEnd: UInt64 = 0
    /// `ECONNREFUSED` reports (ICMP port unreachable: the server went away).
    var refused: UInt64 = 0
    /// Round-trip times of valid echoes.
    var latency = LatencyHistogram()

    /// Adds the counts and samples of `other`.
    mutating func merge(_ other: FloodResult) {
        self.sent += other.sent
        self.received += other.received
        self.valid += other.valid
        self.validDuringLoad += other.validDuringLoad
        self.late += other.late
        self.invalid += other.invalid
        self.timedOut += other.timedOut
        self.unansweredAtEnd += other.unansweredAtEnd
        self.refused += other.refused
        self.latency.merge(other.latency)
    }
}
