import CGlibcExtras
import CoreMetrics
import ServiceLifecycle

/// Gives memory freed after a burst back to the kernel, so that resident memory returns near its baseline once an
/// attack (or any peak) is over.
///
/// glibc's malloc keeps what a thread's arena freed: a few small live blocks high in an arena's heap keep the pages
/// below them resident, so hundreds of megabytes freed by closed connections stayed in RSS (BENCHMARKS.md, "Memory
/// after an attack"). `malloc_trim(0)` releases the free pages inside every arena. It locks each arena while it
/// walks it, so it runs only when at least ``threshold`` bytes lie free, checked every ``interval``.
struct MemoryReclaimer: Service {
    /// Free bytes in malloc's arenas from which a trim is worth its cost.
    static let threshold = 16 << 20
    let interval: Duration
    let trims = Counter(label: "switchboard_memory_trims_total")

    init(interval: Duration = .seconds(10)) {
        self.interval = interval
    }

    /// Whether `freeBytes` held free by malloc are worth a trim.
    static func shouldTrim(freeBytes: Int) -> Bool {
        freeBytes >= Self.threshold
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: self.interval)
                self.reclaimIfWorthIt()
            }
        }
    }

    /// Trims when enough is free; returns whether it did.
    @discardableResult
    func reclaimIfWorthIt() -> Bool {
        guard Self.shouldTrim(freeBytes: Int(switchboard_malloc_free_bytes())) else {
            return false
        }
        switchboard_malloc_trim()
        self.trims.increment()
        return true
    }
}
