import NIOCore
import SocketIOCodec

/// The pure state machine of one Engine.IO session: transports, write buffer, heartbeats, upgrade and close
/// (Engine.IO v4 §"Transports", §"Heartbeat", §"Upgrade"; v3 §"Transports"; the reference `socket.ts` and
/// `transports/polling.ts`).
///
/// It owns no socket, clock or logger. Every event is a method that returns the ``Action``s the owner must perform,
/// in order: answer the pending poll, write to a WebSocket, hand a message to the application, arm or cancel a
/// timer, and so on. ``EngineIOSession`` is the shell that performs them on its event loop. Timers are named
/// (``Timer``); the owner keeps at most one of each armed and calls the matching `…Fired()` method when it fires.
///
/// Rules the state machine enforces, each tested in `EngineIOSessionStateMachineTests`:
/// - a poll gets every buffered packet at once, or waits until there is one; a second concurrent poll is refused
///   (HTTP 400) and closes the session, and the pending one gets the close packet `1`;
/// - a second concurrent POST is refused and closes the session;
/// - heartbeats run the way the revision says: in v4 the server pings every `pingInterval` and closes the session
///   when no pong comes within `pingTimeout`; in v3 the client pings and the server closes the session when no ping
///   comes within `pingInterval + pingTimeout`. A heartbeat in the wrong direction closes the session;
/// - an upgrade: the probing WebSocket's `2probe` is answered `3probe`; while it is pending, a poll waiting with
///   nothing to send is answered `6` (noop) every 100 ms; `5` moves the session to the WebSocket and flushes the
///   buffer there; anything else, a closed probe socket or `upgradeTimeout` cancels it;
/// - close: the client's `1` over polling answers the pending poll with `6`, or with none pending the first poll read
///   within ``Timing/latePollWindow``; a server close flushes the buffer and then sends `1` (over polling, with the
///   next poll if none is pending); other closes send `1` to a pending poll;
/// - the write buffer is bounded: past ``Timing/outboundBufferLimit`` packets or ``Timing/outboundBufferBytes``
///   bytes of packet data the session closes (``EngineIOCloseReason/outboundBufferFull``).
struct EngineIOSessionStateMachine {
    /// The transport carrying the session.
    enum Transport: Sendable, Hashable {
        case polling
        case webSocket
    }

    /// The timers of a session.
    enum Timer: Sendable, Hashable, CaseIterable {
        /// v4: the next ping, then the pong deadline. v3: the deadline for the client's next ping.
        case heartbeat
        /// The deadline for the `5` of a probing WebSocket.
        case upgradeTimeout
        /// The 100 ms ticker that releases a waiting poll with `6` while an upgrade is pending.
        case upgradeNoop
        /// How long a server-closed polling session waits for a poll to deliver the close packet, and how long a
        /// client-closed one waits for a late poll (``Timing/latePollWindow``).
        case closeTimeout
    }

    /// Durations (milliseconds) and limits.
    struct Timing: Sendable, Hashable {
        var pingInterval: Int
        var pingTimeout: Int
        var upgradeTimeout: Int
        var closeTimeout: Int
        var outboundBufferLimit: Int
        /// The most bytes of packet data (text as UTF-8, binary as is) waiting in the write buffer.
        var outboundBufferBytes: Int = .max
        /// The period of the noop ticker while upgrading (100 ms in the reference).
        var upgradeNoopInterval: Int = 100
        /// How long a session the client closed by POST answers a poll with `6` rather than as unknown: a poll sent
        /// before the close on another connection can be read after it, by another event loop.
        var latePollWindow: Int = 100
    }

    /// What the owner must do, in order.
    enum Action: Sendable, Hashable {
        /// Answer the waiting poll (HTTP 200) with these packets.
        case respondToPoll([EngineIOPacket])
        /// Write these packets to the session's WebSocket.
        case writeToWebSocket([EngineIOPacket])
        /// Close the session's WebSocket once what was written before is sent.
        case closeWebSocket
        /// Write a packet to the WebSocket that is probing an upgrade.
        case writeToProbe(EngineIOPacket)
        /// Make the probing WebSocket the session's transport (the upgrade is done).
        case promoteProbe
        /// Close the WebSocket that was probing an upgrade; the session stays on polling.
        case closeProbe
        /// Hand a message to the application.
        case deliver(TextOrBinaryMessage)
        /// Arm a timer (replacing it if armed).
        case schedule(Timer, milliseconds: Int)
        /// Disarm a timer.
        case cancel(Timer)
        /// Tell the application the session is closed.
        case notifyClosed(EngineIOCloseReason)
        /// Forget the session id: later requests get HTTP 400 code 1.
        case unregister
    }

    /// Whether a poll or POST may proceed, with the actions to perform either way.
    enum Admission: Sendable, Hashable {
        /// The request proceeds; perform the actions (for a poll, after registering it as waiting).
        case accepted([Action])
        /// The request is refused; perform the actions (an overlap closes the session).
        case refused(Refusal, [Action])
    }

    /// Why a request is refused before it is handled.
    enum Refusal: Error, Sendable, Hashable {
        /// The session is gone (HTTP 400 code 1).
        case unknownSession
        /// The request's transport is not the session's (HTTP 400 code 3).
        case transportMismatch
        /// A second poll or POST while one is pending (bare HTTP 400); the session is closed.
        case overlap
    }

    private enum State: Sendable, Hashable {
        case open
        /// Server close over polling, waiting for a poll to carry the close packet.
        case closing
        /// Closed by the client over polling with no poll pending; a poll read within ``Timing/latePollWindow``
        /// gets `6`, as it would have had it been read before the close.
        case lingering
        case closed
    }

    private enum Upgrade: Sendable, Hashable {
        case none
        case probing(probed: Bool)
    }

    /// The protocol revision.
    let version: EngineIOProtocolVersion
    let timing: Timing
    private var state: State = .open
    private(set) var transport: Transport
    private var upgrade: Upgrade = .none
    private var pollPending = false
    private var postPending = false
    private var awaitingPong = false
    /// Packets not yet handed to a transport. An array, handed over whole by ``drain()``: empty (no storage) while
    /// idle, which is most of a session's life.
    private var writeBuffer: [EngineIOPacket] = []
    /// The data bytes of the packets in ``writeBuffer`` (see ``dataBytes(of:)``).
    private(set) var bufferedBytes = 0

    /// Creates the state machine of a new session on `transport`.
    init(version: EngineIOProtocolVersion, transport: Transport, timing: Timing) {
        self.version = version
        self.transport = transport
        self.timing = timing
    }

    /// Whether the session is open (neither closing nor closed).
    var isOpen: Bool {
        self.state == .open
    }

    /// Whether a WebSocket is probing an upgrade.
    var isUpgrading: Bool {
        if case .probing = self.upgrade {
            return true
        }
        return false
    }

    /// The number of packets waiting in the write buffer.
    var bufferedPacketCount: Int {
        self.writeBuffer.count
    }

    // MARK: - Opening and sending

    /// The session starts: queues the `open` packet and starts the heartbeat.
    mutating func open(handshake: EngineIOPacket) -> [Action] {
        precondition(self.state == .open, "open() called twice")
        var actions = self.send([handshake])
        actions.append(self.heartbeatSchedule(afterPong: false))
        return actions
    }

    /// Queues packets for the client and flushes them if a transport can take them now.
    mutating func send(_ packets: [EngineIOPacket]) -> [Action] {
        guard self.state == .open else {
            return []
        }
        self.writeBuffer.append(contentsOf: packets)
        self.bufferedBytes += packets.reduce(0) { $0 + Self.dataBytes(of: $1) }
        if self.writeBuffer.count > self.timing.outboundBufferLimit
            || self.bufferedBytes > self.timing.outboundBufferBytes
        {
            return self.close(reason: .outboundBufferFull)
        }
        return self.flush()
    }

    /// What a packet weighs in the write buffer: its text's UTF-8 bytes or its binary bytes (the type digit and
    /// framing are left out; a packet without data weighs nothing).
    static func dataBytes(of packet: EngineIOPacket) -> Int {
        switch packet {
        case .open(let text), .ping(let text), .pong(let text), .message(.text(let text)):
            return text.utf8.count
        case .message(.binary(let bytes)):
            return bytes.readableBytes
        case .close, .upgrade, .noop:
            return 0
        }
    }

    private mutating func flush() -> [Action] {
        guard !self.writeBuffer.isEmpty else {
            return []
        }
        switch self.transport {
        case .webSocket:
            return [.writeToWebSocket(self.drain())]
        case .polling:
            guard self.pollPending else {
                return []
            }
            self.pollPending = false
            return [.respondToPoll(self.drain())]
        }
    }

    private mutating func drain() -> [EngineIOPacket] {
        let packets = self.writeBuffer
        self.writeBuffer = []
        self.bufferedBytes = 0
        return packets
    }

    // MARK: - Polling requests

    /// A GET arrived. On success the owner keeps the request waiting until an action answers it (possibly one of
    /// the returned actions).
    mutating func pollRequestArrived() -> Admission {
        switch self.state {
        case .closed:
            return .refused(.unknownSession, [])
        case .lingering:
            self.state = .closed
            return .accepted([.respondToPoll([.noop]), .cancel(.closeTimeout), .unregister])
        case .closing:
            self.state = .closed
            var packets = self.drain()
            packets.append(.close)
            return .accepted([.respondToPoll(packets), .cancel(.closeTimeout), .unregister])
        case .open:
            break
        }
        guard self.transport == .polling else {
            return .refused(.transportMismatch, [])
        }
        guard !self.pollPending else {
            return .refused(.overlap, self.close(reason: .transportError))
        }
        self.pollPending = true
        return .accepted(self.flush())
    }

    /// A POST arrived (before its body is read).
    mutating func postRequestArrived() -> Admission {
        switch self.state {
        case .closed, .lingering:
            return .refused(.unknownSession, [])
        case .closing:
            // The client may still talk while its close packet waits for a poll; what it says is dropped.
            return .accepted([])
        case .open:
            break
        }
        guard self.transport == .polling else {
            return .refused(.transportMismatch, [])
        }
        guard !self.postPending else {
            return .refused(.overlap, self.close(reason: .transportError))
        }
        self.postPending = true
        return .accepted([])
    }

    /// The POST's body was read (or abandoned).
    mutating func postRequestFinished() {
        self.postPending = false
    }

    // MARK: - Inbound packets

    /// A packet arrived on the session's transport (a POST body, or the session's WebSocket).
    mutating func receive(_ packet: EngineIOPacket) -> [Action] {
        guard self.state == .open else {
            return []
        }
        switch packet {
        case .message(let message):
            return [.deliver(message)]
        case .ping(let payload):
            guard self.version == .v3 else {
                // Engine.IO v4 §"Heartbeat": only the server pings ("invalid heartbeat direction").
                return self.close(reason: .transportError)
            }
            var actions = self.send([.pong(payload: payload)])
            if self.state == .open {
                actions.append(self.heartbeatSchedule(afterPong: true))
            }
            return actions
        case .pong:
            guard self.version == .v4 else {
                return self.close(reason: .transportError)
            }
            guard self.awaitingPong else {
                return []
            }
            self.awaitingPong = false
            return [self.heartbeatSchedule(afterPong: true)]
        case .close:
            return self.close(reason: .transportClose)
        case .open, .upgrade, .noop:
            // Ignored outside an upgrade, as the reference does.
            return []
        }
    }

    /// The session's WebSocket closed (or failed).
    mutating func webSocketClosed() -> [Action] {
        guard self.transport == .webSocket else {
            return []
        }
        return self.close(reason: .transportClose)
    }

    /// A packet that does not decode arrived on the session's transport.
    mutating func receivedInvalidPacket() -> [Action] {
        self.close(reason: .parseError)
    }

    // MARK: - Heartbeat

    private mutating func heartbeatSchedule(afterPong: Bool) -> Action {
        switch self.version {
        case .v4:
            return .schedule(.heartbeat, milliseconds: self.timing.pingInterval)
        case .v3:
            return .schedule(.heartbeat, milliseconds: self.timing.pingInterval + self.timing.pingTimeout)
        }
    }

    /// The heartbeat timer fired.
    mutating func heartbeatTimerFired() -> [Action] {
        guard self.state == .open else {
            return []
        }
        switch self.version {
        case .v3:
            return self.close(reason: .pingTimeout)
        case .v4:
            if self.awaitingPong {
                return self.close(reason: .pingTimeout)
            }
            self.awaitingPong = true
            var actions = self.send([.ping(payload: "")])
            if self.state == .open {
                actions.append(.schedule(.heartbeat, milliseconds: self.timing.pingTimeout))
            }
            return actions
        }
    }

    // MARK: - Upgrade

    /// A WebSocket with this session's id was accepted. Returns `nil` if it cannot upgrade the session (not on
    /// polling, already upgrading, closing): the owner closes that WebSocket at once, as the reference does.
    mutating func upgradeRequested() -> [Action]? {
        guard self.state == .open, self.transport == .polling, self.upgrade == .none else {
            return nil
        }
        self.upgrade = .probing(probed: false)
        return [.schedule(.upgradeTimeout, milliseconds: self.timing.upgradeTimeout)]
    }

    /// A packet arrived on the WebSocket probing the upgrade.
    mutating func probeReceived(_ packet: EngineIOPacket) -> [Action] {
        guard self.state == .open, case .probing = self.upgrade else {
            return [.closeProbe]
        }
        switch packet {
        case .ping(let payload) where payload == EngineIOPacket.probePayload:
            self.upgrade = .probing(probed: true)
            return [
                .writeToProbe(.pong(payload: EngineIOPacket.probePayload)),
                .schedule(.upgradeNoop, milliseconds: self.timing.upgradeNoopInterval),
            ]
        case .upgrade:
            self.upgrade = .none
            self.transport = .webSocket
            var actions: [Action] = [.cancel(.upgradeTimeout), .cancel(.upgradeNoop), .promoteProbe]
            if self.pollPending {
                self.pollPending = false
                actions.append(.respondToPoll([.noop]))
            }
            actions.append(contentsOf: self.flush())
            return actions
        default:
            self.upgrade = .none
            return [.cancel(.upgradeTimeout), .cancel(.upgradeNoop), .closeProbe]
        }
    }

    /// A packet that does not decode arrived on the probing WebSocket: the upgrade is abandoned.
    mutating func probeReceivedInvalidPacket() -> [Action] {
        guard case .probing = self.upgrade else {
            return [.closeProbe]
        }
        self.upgrade = .none
        return [.cancel(.upgradeTimeout), .cancel(.upgradeNoop), .closeProbe]
    }

    /// The probing WebSocket closed before completing the upgrade.
    mutating func probeClosed() -> [Action] {
        guard case .probing = self.upgrade else {
            return []
        }
        self.upgrade = .none
        return [.cancel(.upgradeTimeout), .cancel(.upgradeNoop)]
    }

    /// The noop ticker fired: a poll waiting during the upgrade is released with `6`.
    mutating func upgradeNoopTimerFired() -> [Action] {
        guard self.state == .open, case .probing = self.upgrade else {
            return []
        }
        var actions: [Action] = []
        if self.pollPending {
            self.pollPending = false
            actions.append(.respondToPoll([.noop]))
        }
        actions.append(.schedule(.upgradeNoop, milliseconds: self.timing.upgradeNoopInterval))
        return actions
    }

    /// The upgrade timeout fired: the probing WebSocket is closed and the session stays on polling.
    mutating func upgradeTimeoutFired() -> [Action] {
        guard case .probing = self.upgrade else {
            return []
        }
        self.upgrade = .none
        return [.cancel(.upgradeNoop), .closeProbe]
    }

    // MARK: - Close

    /// Closes the session.
    ///
    /// ``EngineIOCloseReason/serverClose`` is graceful: buffered packets are delivered first, then the close packet
    /// `1` (over polling, to the pending poll or to the next one within `closeTimeout`), or the WebSocket is closed
    /// after them. Every other reason drops the buffer: a pending poll gets `6` when the client itself closed
    /// (``EngineIOCloseReason/transportClose``), `1` otherwise.
    mutating func close(reason: EngineIOCloseReason) -> [Action] {
        guard self.state == .open else {
            return []
        }
        var actions: [Action] = [.cancel(.heartbeat), .cancel(.upgradeTimeout), .cancel(.upgradeNoop)]
        if case .probing = self.upgrade {
            self.upgrade = .none
            actions.append(.closeProbe)
        }
        if reason == .serverClose {
            switch self.transport {
            case .polling:
                if self.pollPending {
                    self.pollPending = false
                    self.state = .closed
                    var packets = self.drain()
                    packets.append(.close)
                    actions.append(contentsOf: [.respondToPoll(packets), .notifyClosed(reason), .unregister])
                } else {
                    self.state = .closing
                    actions.append(contentsOf: [
                        .notifyClosed(reason), .schedule(.closeTimeout, milliseconds: self.timing.closeTimeout),
                    ])
                }
            case .webSocket:
                self.state = .closed
                if !self.writeBuffer.isEmpty {
                    actions.append(.writeToWebSocket(self.drain()))
                }
                // The socket closes last: by the time the client sees the close frame, the server is done with the
                // session.
                actions.append(contentsOf: [.notifyClosed(reason), .unregister, .closeWebSocket])
            }
            return actions
        }
        self.state = .closed
        self.writeBuffer.removeAll()
        self.bufferedBytes = 0
        switch self.transport {
        case .polling:
            if self.pollPending {
                self.pollPending = false
                actions.append(.respondToPoll([reason == .transportClose ? .noop : .close]))
            } else if reason == .transportClose {
                self.state = .lingering
                return actions + [
                    .notifyClosed(reason), .schedule(.closeTimeout, milliseconds: self.timing.latePollWindow),
                ]
            }
            actions.append(contentsOf: [.notifyClosed(reason), .unregister])
        case .webSocket:
            // The socket closes last, as above.
            actions.append(contentsOf: [.notifyClosed(reason), .unregister, .closeWebSocket])
        }
        return actions
    }

    /// The close timeout of a server-closed polling session, or the late-poll window of a client-closed one, ended:
    /// the session is forgotten.
    mutating func closeTimeoutFired() -> [Action] {
        guard self.state == .closing || self.state == .lingering else {
            return []
        }
        self.state = .closed
        self.writeBuffer.removeAll()
        self.bufferedBytes = 0
        return [.unregister]
    }
}
