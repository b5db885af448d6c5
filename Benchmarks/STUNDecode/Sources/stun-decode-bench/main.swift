import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#endif

// A 64 KiB Binding request: 16,383 empty attributes of distinct comprehension-required types no server knows,
// the worst case for the UNKNOWN-ATTRIBUTES list of a 420 answer (RFC 8489 §6.3.1.1).
let attributeCount = 16_383
var writer = STUNMessageWriter(type: .bindingRequest, transactionID: .random(), buffer: ByteBuffer())
for index in 0..<attributeCount {
    writer.appendRaw(type: STUNAttributeType(rawValue: UInt16(0x0100 + index)), value: ByteBuffer())
}
let datagram = writer.finish()
let understood: Set<STUNAttributeType> = [.username, .messageIntegrity, .fingerprint, .priority]

/// The list as `STUNMessage.unknownComprehensionRequiredAttributes` built it before it was made linear: a linear
/// `contains` on the result for every attribute, so n²/2 comparisons when all n types differ.
func quadraticUnknownAttributes(_ message: STUNMessage) -> [STUNAttributeType] {
    var unknown = [STUNAttributeType]()
    for attribute in message.attributes
    where attribute.type.isComprehensionRequired && !understood.contains(attribute.type)
        && !unknown.contains(attribute.type)
    {
        unknown.append(attribute.type)
    }
    return unknown
}

func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Milliseconds per message (decode plus list), median of `rounds` rounds of `iterations` messages.
func measure(rounds: Int, iterations: Int, _ list: (STUNMessage) -> [STUNAttributeType]) -> Double {
    var samples: [Double] = []
    for _ in 0..<rounds {
        let start = now()
        for _ in 0..<iterations {
            let message = try! STUNMessage.decode(datagram)
            precondition(list(message).count == attributeCount)
        }
        samples.append((now() - start) * 1000 / Double(iterations))
    }
    return samples.sorted()[rounds / 2]
}

let rounds = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1])! : 5
// Interleaved, so background load on a shared machine hits both alike.
var linear: [Double] = []
var quadratic: [Double] = []
var decodeOnly: [Double] = []
for _ in 0..<rounds {
    decodeOnly.append(measure(rounds: 1, iterations: 200) { _ in Array(repeating: .username, count: attributeCount) })
    linear.append(
        measure(rounds: 1, iterations: 200) { $0.unknownComprehensionRequiredAttributes(understood: understood) }
    )
    quadratic.append(measure(rounds: 1, iterations: 5, quadraticUnknownAttributes))
}
let linearMedian = linear.sorted()[rounds / 2]
let quadraticMedian = quadratic.sorted()[rounds / 2]
let decodeMedian = decodeOnly.sorted()[rounds / 2]
/// `value` rounded to `digits` decimals, without Foundation's formatting.
func rounded(_ value: Double, _ digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits {
        scale *= 10
    }
    return String((value * scale).rounded() / scale)
}

print("message: \(datagram.readableBytes) bytes, \(attributeCount) unknown comprehension-required attributes")
print("decode alone:            \(rounded(decodeMedian, 3)) ms per message")
print("before (quadratic list): \(rounded(quadraticMedian, 3)) ms per message")
print("after  (linear list):    \(rounded(linearMedian, 3)) ms per message")
print("ratio before/after:      \(rounded(quadraticMedian / linearMedian, 1))x")
