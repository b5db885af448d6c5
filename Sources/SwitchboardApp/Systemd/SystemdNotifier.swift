#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Tells systemd about the service's state (`Type=notify`, sd_notify(3)): one datagram per message to the Unix
/// socket named by `NOTIFY_SOCKET`, an absolute path or, with a leading `@`, an abstract socket name.
///
/// Written here rather than linked from libsystemd: the protocol is one `sendto` of `KEY=VALUE` lines.
struct SystemdNotifier: Sendable {
    /// The bytes of `sockaddr_un.sun_path` (abstract names start with a NUL byte), without a trailing NUL.
    let path: [UInt8]

    /// The notifier for `NOTIFY_SOCKET` in `environment`; `nil` when it is unset, empty or not a socket address
    /// (not started by systemd with `Type=notify`).
    init?(environment: [String: String]) {
        guard let value = environment["NOTIFY_SOCKET"], let path = Self.socketPath(value) else {
            return nil
        }
        self.path = path
    }

    /// The `sun_path` bytes for a `NOTIFY_SOCKET` value: `/run/systemd/notify` as is, `@name` as `\0name`;
    /// `nil` for anything else (a relative path, `vsock:` addresses) or a path too long for `sun_path`.
    static func socketPath(_ value: String) -> [UInt8]? {
        var bytes = Array(value.utf8)
        if bytes.first == UInt8(ascii: "@") {
            bytes[0] = 0
        } else if bytes.first != UInt8(ascii: "/") {
            return nil
        }
        let capacity = MemoryLayout.size(ofValue: sockaddr_un().sun_path)
        guard bytes.count > 1, bytes.count < capacity, !bytes.dropFirst().contains(0) else {
            return nil
        }
        return bytes
    }

    /// Sends `state` (`READY=1`, `STOPPING=1`, `STATUS=...`, newline-separated); returns whether it was sent.
    @discardableResult
    func notify(_ state: String) -> Bool {
        #if os(Linux)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
        let descriptor = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard descriptor >= 0 else {
            return false
        }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: self.path)
        }
        // An abstract name's length is exact (no terminating NUL), so pass the length rather than the whole struct.
        let length = socklen_t(MemoryLayout<sockaddr_un>.offset(of: \.sun_path)! + self.path.count)
        let message = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                message.withUnsafeBytes { bytes in
                    sendto(descriptor, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL), socketAddress, length)
                }
            }
        }
        return sent == message.count
    }
}
