import NIOCore
import STUNCodec

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the RFC 5780 §4 tests against one server and gathers ``NATObservations``; ``NATVerdict`` decides.
struct NATProber {
    var server: TransportAddress
    /// How long one try waits for a response, and how many tries a test makes before it counts as unanswered.
    var timeoutMilliseconds: Int32 = 700
    var tries = 3
    var testHairpinning = true
    /// The longest idle time the lifetime test waits (§4.6); 0 skips the test.
    var lifetimeLimitSeconds = 0

    func run() throws(NATProbeError) -> NATObservations {
        let first = try ProbeSocket(towards: self.server)
        guard let test1 = self.binding(first, to: self.server) else {
            throw .noAnswer("\(self.server)")
        }
        if let error = try? test1.attribute(ErrorCodeAttribute.self) {
            throw .errorResponse("\(self.server)", Int(error.code.rawValue))
        }
        guard let mapped = Self.mapped(test1) else {
            throw .noAnswer("\(self.server)")
        }
        guard let other = (try? test1.attribute(OtherAddress.self))?.address else {
            throw .noRFC5780("\(self.server)")
        }
        var observed = NATObservations(local: first.local, mappedByPrimary: mapped, otherAddress: other)

        // §4.3 mapping: the same socket to the alternate IP, then to the alternate IP and port.
        if other.ip != self.server.ip {
            observed.mappedByAlternateIP = self.binding(
                first,
                to: TransportAddress(ip: other.ip, port: self.server.port)
            )
            .flatMap(Self.mapped)
            if observed.mappedByAlternateIP != nil, observed.mappedByAlternateIP != mapped {
                observed.mappedByAlternateIPAndPort = self.binding(first, to: other).flatMap(Self.mapped)
            }
        }

        // §4.4 filtering, on a fresh socket so that only the primary has been sent to.
        let second = try ProbeSocket(towards: self.server)
        if self.binding(second, to: self.server) != nil {
            if other.ip != self.server.ip {
                observed.filteringReplyFromOtherIPAndPort =
                    self.binding(second, to: self.server, change: ChangeRequest(changeIP: true, changePort: true))
                    != nil
            }
            if observed.filteringReplyFromOtherIPAndPort != true, other.port != self.server.port {
                observed.filteringReplyFromOtherPort =
                    self.binding(second, to: self.server, change: ChangeRequest(changeIP: false, changePort: true))
                    != nil
            }
        }

        // §4.5 hairpinning: a request to our own mapped address must come back to us.
        if self.testHairpinning {
            observed.hairpinning = self.hairpins(first, mapped: mapped)
        }
        if self.lifetimeLimitSeconds > 0 {
            observed.lifetime = try self.bindingLifetime()
        }
        return observed
    }

    /// §4.6: a fresh socket X gets a mapping and falls silent for T seconds; then another socket asks the server,
    /// with RESPONSE-PORT, to answer to X's mapped port. If X hears it, the mapping outlived T. T doubles from 1 s
    /// up to the limit, stopping at the first loss.
    private func bindingLifetime() throws(NATProbeError) -> NATBindingLifetime {
        var alive = 0
        var wait = 1
        while wait <= self.lifetimeLimitSeconds {
            let idle = try ProbeSocket(towards: self.server)
            guard let mapped = self.binding(idle, to: self.server).flatMap(Self.mapped) else {
                throw .noAnswer("\(self.server)")
            }
            sleep(UInt32(wait))
            let asker = try ProbeSocket(towards: self.server)
            let transactionID = STUNTransactionID.random()
            var writer = STUNMessageWriter(
                type: .bindingRequest,
                transactionID: transactionID,
                buffer: ByteBufferAllocator().buffer(capacity: 32)
            )
            writer.append(ResponsePort(port: mapped.port))
            asker.send(writer.finish(), to: self.server)
            if let refused = asker.receive(transactionID, within: self.timeoutMilliseconds) {
                let code = (try? refused.message.attribute(ErrorCodeAttribute.self))?.code.rawValue ?? 0
                throw .errorResponse("\(self.server) (RESPONSE-PORT)", Int(code))
            }
            guard idle.receive(transactionID, within: self.timeoutMilliseconds) != nil else {
                return NATBindingLifetime(atLeastSeconds: alive, belowSeconds: wait)
            }
            alive = wait
            wait *= 2
        }
        return NATBindingLifetime(atLeastSeconds: alive, belowSeconds: nil)
    }

    /// A Binding request from `socket` to `destination`, retried; the response, or nil after the last try.
    private func binding(
        _ socket: ProbeSocket,
        to destination: TransportAddress,
        change: ChangeRequest? = nil
    ) -> STUNMessage? {
        let transactionID = STUNTransactionID.random()
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: transactionID,
            buffer: ByteBufferAllocator().buffer(capacity: 64)
        )
        if let change {
            writer.append(change)
        }
        writer.appendFingerprint()
        let request = writer.finish()
        for _ in 0..<self.tries {
            socket.send(request, to: destination)
            if let (response, _) = socket.receive(transactionID, within: self.timeoutMilliseconds),
                response.type.messageClass != .request
            {
                return response
            }
        }
        return nil
    }

    private func hairpins(_ socket: ProbeSocket, mapped: TransportAddress) -> Bool {
        let transactionID = STUNTransactionID.random()
        var writer = STUNMessageWriter(
            type: .bindingRequest,
            transactionID: transactionID,
            buffer: ByteBufferAllocator().buffer(capacity: 32)
        )
        writer.appendFingerprint()
        let request = writer.finish()
        for _ in 0..<self.tries {
            socket.send(request, to: mapped)
            if socket.receive(transactionID, within: self.timeoutMilliseconds) != nil {
                return true
            }
        }
        return false
    }

    private static func mapped(_ response: STUNMessage) -> TransportAddress? {
        if let address = (try? response.attribute(XORMappedAddress.self))?.address {
            return address
        }
        return (try? response.attribute(MappedAddress.self))?.address
    }
}
