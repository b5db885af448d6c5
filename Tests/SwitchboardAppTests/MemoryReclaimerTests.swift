import Foundation
import Testing

@testable import SwitchboardApp

@Suite struct MemoryReclaimerTests {
    @Test func trimsOnlyWhenEnoughIsFree() {
        #expect(!MemoryReclaimer.shouldTrim(freeBytes: 0))
        #expect(!MemoryReclaimer.shouldTrim(freeBytes: MemoryReclaimer.threshold - 1))
        #expect(MemoryReclaimer.shouldTrim(freeBytes: MemoryReclaimer.threshold))
    }

    /// How many pages of the `size`-byte blocks at `addresses` are resident (mincore(2)). It measures these blocks
    /// alone: what tests on other threads allocate meanwhile does not move it, as it moves the process's resident size.
    private func residentPages(of addresses: [Int], size: Int) -> (resident: Int, total: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        var vector = [UInt8](repeating: 0, count: size / page + 2)
        var resident = 0
        var total = 0
        for address in addresses {
            let start = address & ~(page - 1)
            let length = address + size - start
            let pages = (length + page - 1) / page
            total += pages
            // A region given back to the kernel altogether is not mapped any more (ENOMEM): none of it is resident.
            if mincore(UnsafeMutableRawPointer(bitPattern: start), length, &vector) == 0 {
                resident += vector.prefix(pages).count { $0 & 1 == 1 }
            }
        }
        return (resident, total)
    }

    /// 64 MiB of small blocks freed below one that stays allocated: malloc keeps their pages resident (the heap cannot
    /// shrink past the live block) until the reclaimer trims, which gives most of them back.
    @Test func givesFreedPagesBackToTheKernel() {
        let blockSize = 4096
        var blocks: [UnsafeMutableRawPointer] = []
        for _ in 0..<(64 << 20) / blockSize {
            let block = UnsafeMutableRawPointer.allocate(byteCount: blockSize, alignment: 16)
            block.initializeMemory(as: UInt8.self, repeating: 1, count: blockSize)
            blocks.append(block)
        }
        // The last block stays: allocated after the others, it sits above them in the heap.
        let pin = blocks.removeLast()
        defer {
            pin.deallocate()
        }
        let addresses = blocks.map { Int(bitPattern: $0) }
        for block in blocks {
            block.deallocate()
        }
        blocks = []
        let before = self.residentPages(of: addresses, size: blockSize)
        #expect(before.resident > before.total * 9 / 10, "freed but still resident: \(before)")
        #expect(MemoryReclaimer().reclaimIfWorthIt())
        let after = self.residentPages(of: addresses, size: blockSize)
        #expect(after.resident < after.total / 4, "resident pages \(before) -> \(after)")
    }
}
