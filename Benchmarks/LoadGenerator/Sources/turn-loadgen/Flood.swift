import Glibc
import LoadGeneratorSupport

/// Where a flood thread leaves its result; read only after joining the thread.
final class FloodSlot: @unchecked Sendable {
    var result: FloodResult?
    var released = 0
    var mismatches = 0
}

/// The flood: one thread per group of allocations. Each thread allocates and binds its channels, all threads and
/// the main thread meet at a barrier, then each runs the same load period, and finally deletes its allocations.
enum Flood {
    /// The channel every allocation binds to the peer (channel numbers are per allocation).
    static let channelNumber: UInt16 = 0x4000

    /// Runs the flood and prints the report.
    static func run(server: ServerAddress, peer: ServerAddress, settings: FloodSettings) {
        guard let peerAddress = peer.ipv4 else {
            fatalError("the peer must be IPv4")
        }
        let peerHost = (address: UInt32(bigEndian: peerAddress.address), port: UInt16(bigEndian: peerAddress.port))
        let start = MonotonicClock.now()
        let ready = ThreadBarrier(count: settings.threads + 1)
        let slots = (0..<settings.threads).map { _ in FloodSlot() }
        let threads = slots.enumerated().map { thread, slot in
            NativeThread {
                do throws(SetupFailure) {
                    var allocations: [TURNAllocation] = []
                    var mismatched: [TURNAllocation] = []
                    for _ in stride(from: thread, to: settings.allocations, by: settings.threads) {
                        let allocation = try Self.allocate(
                            server: server,
                            settings: settings,
                            mismatched: &mismatched
                        )
                        try allocation.bindChannel(Self.channelNumber, to: peerHost)
                        allocations.append(allocation)
                    }
                    slot.mismatches = mismatched.count
                    mismatched.removeAll()
                    let flows = allocations.map { _ in
                        ChannelFlow(
                            channelNumber: Self.channelNumber,
                            payload: settings.payload,
                            window: settings.window,
                            batch: settings.batch
                        )
                    }
                    ready.wait()
                    let loadEnd = MonotonicClock.now() + UInt64(settings.duration * 1_000_000_000)
                    let worker = FloodWorker(allocations: allocations, flows: flows, settings: settings)
                    slot.result = try worker.run(until: loadEnd)
                    slot.released = allocations.filter { $0.release() }.count
                } catch {
                    printError("turn-loadgen: \(error.message)")
                    exit(1)
                }
            }
        }
        ready.wait()
        let setup = Double(MonotonicClock.now() - start) / 1_000_000
        for thread in threads {
            thread.join()
        }

        var total = FloodResult()
        var released = 0
        var mismatches = 0
        for slot in slots {
            if let result = slot.result {
                total.merge(result)
            }
            released += slot.released
            mismatches += slot.mismatches
        }
        let report = Report(
            result: total,
            settings: settings,
            setupMilliseconds: setup,
            mismatches: mismatches,
            released: released,
            clientCPU: ProcessCPU.seconds()
        )
        print(report.json)
    }

    /// Most 437 answers tolerated per allocation before giving up.
    private static let mismatchRetries = 4

    /// A new allocation on its own socket. A 437 (Allocation Mismatch) means the server still holds an allocation
    /// for this 5-tuple: the kernel handed out a local port whose earlier owner (an earlier client on this machine)
    /// never deleted its allocation. As RFC 8656 §7.3 suggests, try again from another port; the refused socket
    /// stays open in `mismatched` until setup ends so that the kernel cannot hand out its port again.
    private static func allocate(
        server: ServerAddress,
        settings: FloodSettings,
        mismatched: inout [TURNAllocation]
    ) throws(SetupFailure) -> TURNAllocation {
        var attempt = 0
        while true {
            let allocation = try TURNAllocation(
                server: server,
                username: settings.username,
                password: settings.password
            )
            do throws(SetupFailure) {
                try allocation.allocate()
                return allocation
            } catch {
                guard error.errorCode == 437, attempt < Self.mismatchRetries else {
                    throw error
                }
                attempt += 1
                mismatched.append(allocation)
            }
        }
    }
}
