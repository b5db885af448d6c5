import Glibc
import LoadGeneratorSupport

/// Where a worker thread leaves its result; read only after joining the thread.
final class ResultSlot: @unchecked Sendable {
    var result: WorkerResult?
}

let options = Options.parse(Array(CommandLine.arguments.dropFirst()))
let start = MonotonicClock.now()
let loadEnd = start + UInt64(options.duration * 1_000_000_000)

let slots = (0..<options.sockets).map { _ in ResultSlot() }
let threads = slots.map { slot in
    NativeThread {
        do throws(UDPSocket.Failure) {
            let worker = try LoadWorker(options: options)
            slot.result = try worker.run(until: loadEnd)
        } catch {
            printError("stun-loadgen: \(error.description)")
            exit(1)
        }
    }
}
for thread in threads {
    thread.join()
}

var total = WorkerResult()
for slot in slots {
    if let result = slot.result {
        total.merge(result)
    }
}
let report = Report(result: total, duration: options.duration, clientCPU: ProcessCPU.seconds())
print(report.json)
