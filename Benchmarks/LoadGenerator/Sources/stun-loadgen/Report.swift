import LoadGeneratorSupport

/// The one JSON line `stun-loadgen` prints.
struct Report {
    var result: WorkerResult
    /// Length of the load period, seconds.
    var duration: Double
    /// CPU time the load generator itself used (user + system), seconds.
    var clientCPU: Double

    /// `lost` is every request without a valid response: never answered, answered after its timeout, answered
    /// wrongly, or still in flight after the drain period.
    var json: String {
        let lost = self.result.sent - min(self.result.sent, self.result.valid)
        let lossPercent = self.result.sent == 0 ? 0 : Double(lost) * 100 / Double(self.result.sent)
        let rate = Double(self.result.validDuringLoad) / self.duration
        let fields: [(String, String)] = [
            ("sent", "\(self.result.sent)"),
            ("received", "\(self.result.received)"),
            ("valid", "\(self.result.valid)"),
            ("lost", "\(lost)"),
            ("loss_percent", JSONNumber.fixed(lossPercent, digits: 4)),
            ("duration_s", JSONNumber.fixed(self.duration, digits: 3)),
            ("responses_per_second", JSONNumber.fixed(rate, digits: 1)),
            ("p50_rtt_us", "\(self.result.latency.percentile(0.50))"),
            ("p99_rtt_us", "\(self.result.latency.percentile(0.99))"),
            ("timed_out", "\(self.result.timedOut)"),
            ("unanswered_at_end", "\(self.result.unansweredAtEnd)"),
            ("refused", "\(self.result.refused)"),
            ("client_cpu_s", JSONNumber.fixed(self.clientCPU, digits: 3)),
        ]
        return "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }
}
