import Foundation
import Testing

@testable import SwitchboardApp

#if canImport(Glibc)
import Glibc
#endif

/// sd_notify: which NOTIFY_SOCKET values are used, the datagram that arrives, and when READY=1 is due.
@Suite struct SystemdNotifierTests {
    @Test func notifySocketValues() {
        #expect(SystemdNotifier.socketPath("/run/systemd/notify") == Array("/run/systemd/notify".utf8))
        #expect(SystemdNotifier.socketPath("@sd-notify") == [0] + Array("sd-notify".utf8))
        for refused in ["", "@", "relative/path", "vsock:2:1234", "/" + String(repeating: "x", count: 200)] {
            #expect(SystemdNotifier.socketPath(refused) == nil, "\(refused)")
        }
        #expect(SystemdNotifier(environment: [:]) == nil)
        #expect(SystemdNotifier(environment: ["NOTIFY_SOCKET": ""]) == nil)
    }

    /// A Unix datagram socket bound at `path` bytes (abstract when the first is NUL); returns its descriptor.
    private func listen(_ path: [UInt8]) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        try #require(descriptor >= 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + path.count)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        try #require(bound == 0)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)  // waits for the datagram, never a timed assertion
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return descriptor
    }

    private func receive(_ descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count < 0 ? nil : String(decoding: buffer[..<count], as: UTF8.self)
    }

    @Test func theStateArrivesAsOneDatagramOnAPathAndAnAbstractSocket() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sb-notify-\(getpid())").path
        unlink(path)
        defer { unlink(path) }
        let abstract = "@sb-notify-test-\(getpid())"
        for value in [path, abstract] {
            let descriptor = try self.listen(try #require(SystemdNotifier.socketPath(value)))
            defer { close(descriptor) }
            let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": value]))
            #expect(notifier.notify("READY=1\nSTATUS=listening"))
            #expect(self.receive(descriptor) == "READY=1\nSTATUS=listening")
        }
    }

    @Test func nothingIsSentWhenNobodyListens() throws {
        let notifier = try #require(SystemdNotifier(environment: ["NOTIFY_SOCKET": "@sb-notify-nobody-\(getpid())"]))
        #expect(!notifier.notify("READY=1"))
    }

    @Test func readyOnceEveryExpectedListenerIsBoundInAnyOrder() {
        var gate = ReadinessGate(expecting: [.stun, .http, .admin])
        var answers: [Bool] = []
        // https is not expected: it changes nothing; admin completes the set; later reports never repeat it.
        for listener in [ReadinessGate.Listener.http, .https, .stun, .admin, .admin, .stun] {
            answers.append(gate.bound(listener))
        }
        #expect(answers == [false, false, false, true, false, false])
    }
}
