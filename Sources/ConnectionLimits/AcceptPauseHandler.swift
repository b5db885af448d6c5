import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pauses a listening socket after a failed `accept`.
///
/// Out of descriptors (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM), the pending connection stays in the backlog
/// and the socket stays readable, so retrying at once spins a core until a descriptor frees. NIO's own
/// `AcceptBackoffHandler` only delays the next `read` request, and a server channel whose batch failed on its
/// first `accept` stays registered for readability, so the event loop keeps waking up (observed: 30,000 failed
/// accepts a second). This handler turns `autoRead` off, which removes the socket from the poller, and back on
/// after ``delay``; every failure that starts a pause is reported.
///
/// Put it first in the server channel's pipeline (before NIO's or a framework's handlers), for every listener.
public final class AcceptPauseHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = any Channel

    /// How long a listener waits after a failed `accept` before trying again.
    public static let delay = TimeAmount.milliseconds(250)

    private let onFailure: @Sendable (IOError) -> Void
    private var resume: Scheduled<Void>?

    /// - Parameter onFailure: called (on the listener's loop) with the failure that starts each pause.
    public init(onFailure: @escaping @Sendable (IOError) -> Void) {
        self.onFailure = onFailure
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let ioError = error as? IOError, self.resume == nil {
            self.onFailure(ioError)
            self.pause(context: context)
        }
        context.fireErrorCaught(error)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        if let resume = self.resume {
            resume.cancel()
            self.resume = nil
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }

    private func pause(context: ChannelHandlerContext) {
        let channel = context.channel
        guard (try? channel.syncOptions?.setOption(.autoRead, value: false)) != nil else {
            return
        }
        self.resume = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: Self.delay) {
            self.resume = nil
            if channel.isActive {
                try? channel.syncOptions?.setOption(.autoRead, value: true)
            }
        }
    }

    /// Whether `error` means the process or system ran out of descriptors.
    public static func isDescriptorExhaustion(_ error: IOError) -> Bool {
        error.errnoCode == EMFILE || error.errnoCode == ENFILE
    }
}

@available(*, unavailable)
extension AcceptPauseHandler: Sendable {}
