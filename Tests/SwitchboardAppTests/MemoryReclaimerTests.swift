import Foundation
import Testing

@testable import SwitchboardApp

@Suite struct MemoryReclaimerTests {
    @Test func trimsOnlyWhenEnoughIsFree() {
        #expect(!MemoryReclaimer.shouldTrim(freeBytes: 0))
        #expect(!MemoryReclaimer.shouldTrim(freeBytes: MemoryReclaimer.threshold - 1))
        #expect(MemoryReclaimer.shouldTrim(freeBytes: MemoryReclaimer.threshold))
    }

    /// The process's resident set size, from /proc/self/statm (pages).
    private func residentBytes() throws -> Int {
        let statm = try String(contentsOfFile: "/proc/self/statm", encoding: .utf8)
        let pages = try #require(Int(statm.split(separator: " ")[1]))
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// 64 MiB of small blocks freed below one that stays allocated: malloc keeps the pages resident (the heap cannot
    /// shrink past the live block) until the reclaimer trims, which gives most of them back.
    @Test func givesFreedPagesBackToTheKernel() throws {
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
        for block in blocks {
            block.deallocate()
        }
        blocks = []
        let before = try self.residentBytes()
        #expect(MemoryReclaimer().reclaimIfWorthIt())
        let after = try self.residentBytes()
        #expect(before - after > 32 << 20, "resident \(before >> 20) MiB -> \(after >> 20) MiB")
    }
}
