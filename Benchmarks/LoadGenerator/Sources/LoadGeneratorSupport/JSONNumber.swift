/// Numbers formatted for the one-line JSON reports.
package enum JSONNumber {
    /// `value` with exactly `digits` decimals, as a JSON number.
    package static func fixed(_ value: Double, digits: Int) -> String {
        var scale: Int64 = 1
        for _ in 0..<digits {
            scale *= 10
        }
        let scaled = Int64((value * Double(scale)).rounded())
        let fraction = String(scaled % scale)
        let padding = String(repeating: "0", count: digits - fraction.count)
        return digits == 0 ? "\(scaled)" : "\(scaled / scale).\(padding)\(fraction)"
    }
}
