import LoadGeneratorSupport

/// The one JSON line a flood prints.
///
/// A round trip is client → server → peer → server → client: the server relays two datagrams per echoed message
/// (one each way) and its sockets see four (two in, two out). `relayed_datagrams_per_second` counts the two relays
/// of each valid echo: 2 × `round_trips_per_second`.
struct Report {
    var result: FloodResult
    var settings: FloodSettings
    /// From start to the moment every allocation had its channel, milliseconds.
    var setupMilliseconds: Double
    /// Allocates answered 437 (a stale allocation on the same 5-tuple) and retried from another local port.
    var mismatches: Int
    /// Allocations deleted with Refresh LIFETIME 0 after the run.
    var released: Int
    /// CPU time the load generator itself used (user + system), seconds.
    var clientCPU: Double

    /// `lost` is every message without a valid echo: never echoed, echoed after its timeout or wrongly, or still in
    /// flight after the drain period.
    var json: String {
        let lost = self.result.sent - min(self.result.sent, self.result.valid)
        let lossPercent = self.result.sent == 0 ? 0 : Double(lost) * 100 / Double(self.result.sent)
        let roundTrips = Double(self.result.validDuringLoad) / self.settings.duration
        let fields: [(String, String)] = [
            ("allocations", "\(self.settings.allocations)"),
            ("threads", "\(self.settings.threads)"),
            ("window", "\(self.settings.window)"),
            ("payload_bytes", "\(self.settings.payload)"),
            ("setup_ms", JSONNumber.fixed(self.setupMilliseconds, digits: 1)),
            ("allocation_mismatches", "\(self.mismatches)"),
            ("sent", "\(self.result.sent)"),
            ("received", "\(self.result.received)"),
            ("valid", "\(self.result.valid)"),
            ("lost", "\(lost)"),
            ("loss_percent", JSONNumber.fixed(lossPercent, digits: 4)),
            ("duration_s", JSONNumber.fixed(self.settings.duration, digits: 3)),
            ("round_trips_per_second", JSONNumber.fixed(roundTrips, digits: 1)),
            ("relayed_datagrams_per_second", JSONNumber.fixed(2 * roundTrips, digits: 1)),
            ("p50_rtt_us", "\(self.result.latency.percentile(0.50))"),
            ("p99_rtt_us", "\(self.result.latency.percentile(0.99))"),
            ("timed_out", "\(self.result.timedOut)"),
            ("late", "\(self.result.late)"),
            ("invalid", "\(self.result.invalid)"),
            ("unanswered_at_end", "\(self.result.unansweredAtEnd)"),
            ("refused", "\(self.result.refused)"),
            ("released", "\(self.released)"),
            ("client_cpu_s", JSONNumber.fixed(self.clientCPU, digits: 3)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
