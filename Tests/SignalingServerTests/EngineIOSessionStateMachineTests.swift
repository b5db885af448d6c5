import NIOCore
import SocketIOCodec
import Testing

@testable import SignalingServer

/// The pure session state machine, without sockets or clocks: every rule of its doc comment.
@Suite struct EngineIOSessionStateMachineTests {
    typealias Machine = EngineIOSessionStateMachine
    typealias Action = EngineIOSessionStateMachine.Action

    static let timing = Machine.Timing(
        pingInterval: 300,
        pingTimeout: 200,
        upgradeTimeout: 1000,
        closeTimeout: 3000,
        outboundBufferLimit: 4
    )
    static let open = EngineIOPacket.open("{}")

    func opened(_ version: EngineIOProtocolVersion = .v4, transport: Machine.Transport = .polling) -> Machine {
        var machine = Machine(version: version, transport: transport, timing: Self.timing)
        _ = machine.open(handshake: Self.open)
        return machine
    }

    /// Accepts a poll and returns its actions.
    func poll(_ machine: inout Machine) -> [Action] {
        guard case .accepted(let actions) = machine.pollRequestArrived() else {
            Issue.record("poll refused")
            return []
        }
        return actions
    }

    // MARK: - Open and polls

    @Test func openQueuesTheHandshakeAndStartsTheHeartbeat() {
        var machine = Machine(version: .v4, transport: .polling, timing: Self.timing)
        #expect(machine.open(handshake: Self.open) == [.schedule(.heartbeat, milliseconds: 300)])
        #expect(machine.bufferedPacketCount == 1)
        #expect(self.poll(&machine) == [.respondToPoll([Self.open])])
    }

    @Test func v3HeartbeatDeadlineIsIntervalPlusTimeout() {
        var machine = Machine(version: .v3, transport: .polling, timing: Self.timing)
        #expect(machine.open(handshake: Self.open) == [.schedule(.heartbeat, milliseconds: 500)])
    }

    @Test func webSocketSessionWritesTheHandshakeAtOnce() {
        var machine = Machine(version: .v4, transport: .webSocket, timing: Self.timing)
        #expect(
            machine.open(handshake: Self.open) == [
                .writeToWebSocket([Self.open]), .schedule(.heartbeat, milliseconds: 300),
            ]
        )
    }

    @Test func aPollWaitsThenGetsEverythingBuffered() {
        var machine = self.opened()
        _ = self.poll(&machine)
        #expect(self.poll(&machine) == [])
        #expect(machine.send([.message("a")]) == [.respondToPoll([.message("a")])])
        #expect(machine.send([.message("b"), .message("c")]) == [])
        #expect(self.poll(&machine) == [.respondToPoll([.message("b"), .message("c")])])
    }

    @Test func anOverlappingPollIsRefusedAndClosesTheSessionWithClose() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        guard case .refused(.overlap, let actions) = machine.pollRequestArrived() else {
            Issue.record("second poll accepted")
            return
        }
        #expect(actions.contains(.respondToPoll([.close])))
        #expect(actions.contains(.notifyClosed(.transportError)))
        #expect(actions.contains(.unregister))
        #expect(!machine.isOpen)
        #expect(machine.pollRequestArrived() == .refused(.unknownSession, []))
    }

    @Test func anOverlappingPostIsRefusedAndClosesTheSession() {
        var machine = self.opened()
        #expect(machine.postRequestArrived() == .accepted([]))
        guard case .refused(.overlap, let actions) = machine.postRequestArrived() else {
            Issue.record("second POST accepted")
            return
        }
        #expect(actions.contains(.unregister))
        machine.postRequestFinished()
        #expect(machine.postRequestArrived() == .refused(.unknownSession, []))
    }

    @Test func sequentialPostsAreFine() {
        var machine = self.opened()
        #expect(machine.postRequestArrived() == .accepted([]))
        machine.postRequestFinished()
        #expect(machine.postRequestArrived() == .accepted([]))
    }

    @Test func pollsOnAWebSocketSessionAreATransportMismatch() {
        var machine = self.opened(transport: .webSocket)
        #expect(machine.pollRequestArrived() == .refused(.transportMismatch, []))
        #expect(machine.postRequestArrived() == .refused(.transportMismatch, []))
        #expect(machine.isOpen)
    }

    @Test func messagesAreDelivered() {
        var machine = self.opened()
        #expect(machine.receive(.message("hi")) == [.deliver(.text("hi"))])
        let bytes = ByteBuffer(bytes: [1, 2, 3])
        #expect(machine.receive(.message(bytes)) == [.deliver(.binary(bytes))])
    }

    @Test func ignoredPackets() {
        var machine = self.opened()
        #expect(machine.receive(.noop) == [])
        #expect(machine.receive(.upgrade) == [])
        #expect(machine.receive(.open("x")) == [])
        #expect(machine.isOpen)
    }

    // MARK: - Heartbeat

    @Test func v4ServerPingsThenExpectsAPong() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        #expect(
            machine.heartbeatTimerFired() == [
                .respondToPoll([.ping(payload: "")]), .schedule(.heartbeat, milliseconds: 200),
            ]
        )
        #expect(machine.receive(.pong(payload: "")) == [.schedule(.heartbeat, milliseconds: 300)])
        // A pong nobody asked for changes nothing.
        #expect(machine.receive(.pong(payload: "")) == [])
    }

    @Test func v4MissingPongClosesWithPingTimeout() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        _ = machine.heartbeatTimerFired()
        _ = self.poll(&machine)
        let actions = machine.heartbeatTimerFired()
        #expect(actions.contains(.respondToPoll([.close])))
        #expect(actions.contains(.notifyClosed(.pingTimeout)))
        #expect(actions.contains(.unregister))
        #expect(!machine.isOpen)
    }

    @Test func v4ClientPingIsTheWrongDirection() {
        var machine = self.opened()
        let actions = machine.receive(.ping(payload: ""))
        #expect(actions.contains(.notifyClosed(.transportError)))
        #expect(!machine.isOpen)
    }

    @Test func v3ClientPingsAndTheServerAnswers() {
        var machine = self.opened(.v3)
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        #expect(
            machine.receive(.ping(payload: "")) == [
                .respondToPoll([.pong(payload: "")]), .schedule(.heartbeat, milliseconds: 500),
            ]
        )
    }

    @Test func v3MissingPingClosesWithPingTimeout() {
        var machine = self.opened(.v3)
        let actions = machine.heartbeatTimerFired()
        #expect(actions.contains(.notifyClosed(.pingTimeout)))
    }

    @Test func v3ClientPongIsTheWrongDirection() {
        var machine = self.opened(.v3)
        #expect(machine.receive(.pong(payload: "")).contains(.notifyClosed(.transportError)))
    }

    // MARK: - Close

    @Test func clientCloseOverPollingAnswersThePendingPollWithNoop() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        let actions = machine.receive(.close)
        #expect(actions.contains(.respondToPoll([.noop])))
        #expect(actions.contains(.notifyClosed(.transportClose)))
        #expect(actions.contains(.unregister))
    }

    /// The official suites' "forcefully closes the session": a poll and a POST `1` sent together on two connections,
    /// which two event loops can read in either order.
    @Test func clientCloseOverPollingAnswersAPollReadJustAfterItWithNoop() {
        var machine = self.opened()
        _ = self.poll(&machine)
        let actions = machine.receive(.close)
        #expect(
            actions == [
                .cancel(.heartbeat), .cancel(.upgradeTimeout), .cancel(.upgradeNoop), .notifyClosed(.transportClose),
                .schedule(.closeTimeout, milliseconds: 100),
            ]
        )
        #expect(!machine.isOpen)
        #expect(machine.send([.message("late")]) == [])
        #expect(machine.postRequestArrived() == .refused(.unknownSession, []))
        #expect(
            machine.pollRequestArrived() == .accepted([.respondToPoll([.noop]), .cancel(.closeTimeout), .unregister])
        )
        #expect(machine.pollRequestArrived() == .refused(.unknownSession, []))
        #expect(machine.closeTimeoutFired() == [])
    }

    @Test func aClientClosedSessionIsForgottenAfterTheLatePollWindow() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = machine.receive(.close)
        #expect(machine.closeTimeoutFired() == [.unregister])
        #expect(machine.pollRequestArrived() == .refused(.unknownSession, []))
        #expect(machine.upgradeRequested() == nil)
    }

    @Test func serverCloseWithAPendingPollSendsClose() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        let actions = machine.close(reason: .serverClose)
        #expect(
            actions == [
                .cancel(.heartbeat), .cancel(.upgradeTimeout), .cancel(.upgradeNoop), .respondToPoll([.close]),
                .notifyClosed(.serverClose), .unregister,
            ]
        )
    }

    @Test func serverCloseWithoutAPollWaitsForTheNextOne() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = machine.send([.message("bye")])
        let actions = machine.close(reason: .serverClose)
        #expect(actions.contains(.notifyClosed(.serverClose)))
        #expect(actions.contains(.schedule(.closeTimeout, milliseconds: 3000)))
        #expect(!actions.contains(.unregister))
        #expect(
            machine.pollRequestArrived()
                == .accepted([.respondToPoll([.message("bye"), .close]), .cancel(.closeTimeout), .unregister])
        )
        #expect(machine.pollRequestArrived() == .refused(.unknownSession, []))
    }

    @Test func serverCloseTimesOutWithoutAPoll() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = machine.close(reason: .serverClose)
        #expect(machine.closeTimeoutFired() == [.unregister])
    }

    @Test func serverCloseOverWebSocketFlushesThenClosesTheSocket() {
        var machine = self.opened(transport: .webSocket)
        let actions = machine.close(reason: .serverClose)
        #expect(actions.contains(.closeWebSocket))
        #expect(actions.contains(.unregister))
    }

    @Test func webSocketGoneClosesTheSession() {
        var machine = self.opened(transport: .webSocket)
        #expect(machine.webSocketClosed().contains(.notifyClosed(.transportClose)))
    }

    @Test func anInvalidPacketClosesWithParseError() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = self.poll(&machine)
        let actions = machine.receivedInvalidPacket()
        #expect(actions.contains(.respondToPoll([.close])))
        #expect(actions.contains(.notifyClosed(.parseError)))
    }

    @Test func nothingHappensAfterClose() {
        var machine = self.opened()
        _ = machine.close(reason: .transportClose)
        #expect(machine.send([.message("x")]) == [])
        #expect(machine.receive(.message("x")) == [])
        #expect(machine.heartbeatTimerFired() == [])
        #expect(machine.close(reason: .serverClose) == [])
    }

    @Test func theOutboundBufferIsBounded() {
        var machine = self.opened()
        _ = self.poll(&machine)
        #expect(machine.send([.message("1"), .message("2"), .message("3"), .message("4")]) == [])
        let actions = machine.send([.message("5")])
        #expect(actions.contains(.notifyClosed(.outboundBufferFull)))
        #expect(!machine.isOpen)
    }

    /// The write buffer is bounded in bytes too: packet data past `outboundBufferBytes` closes the session, and a
    /// poll that takes the buffer gives the budget back.
    @Test func theOutboundBufferIsBoundedInBytes() {
        var timing = Self.timing
        timing.outboundBufferBytes = 10
        var machine = Machine(version: .v4, transport: .polling, timing: timing)
        _ = machine.open(handshake: Self.open)
        #expect(machine.send([.message("12345678")]) == [])
        #expect(machine.bufferedBytes == 10)
        #expect(self.poll(&machine) == [.respondToPoll([Self.open, .message("12345678")])])
        #expect(machine.bufferedBytes == 0)
        #expect(machine.send([.message(ByteBuffer(repeating: 0, count: 10))]) == [])
        #expect(machine.isOpen)
        let actions = machine.send([.message("x")])
        #expect(actions.contains(.notifyClosed(.outboundBufferFull)))
        #expect(!machine.isOpen)
        #expect(machine.bufferedBytes == 0)
    }

    // MARK: - Upgrade

    @Test func aSuccessfulUpgrade() {
        var machine = self.opened()
        _ = self.poll(&machine)
        #expect(machine.upgradeRequested() == [.schedule(.upgradeTimeout, milliseconds: 1000)])
        #expect(machine.isUpgrading)
        #expect(
            machine.probeReceived(.ping(payload: "probe")) == [
                .writeToProbe(.pong(payload: "probe")), .schedule(.upgradeNoop, milliseconds: 100),
            ]
        )
        // A poll arriving during the upgrade waits for the ticker, which answers noop.
        #expect(self.poll(&machine) == [])
        #expect(
            machine.upgradeNoopTimerFired() == [.respondToPoll([.noop]), .schedule(.upgradeNoop, milliseconds: 100)]
        )
        // Messages queued during the upgrade are kept for the WebSocket.
        #expect(machine.send([.message("queued")]) == [])
        #expect(
            machine.probeReceived(.upgrade) == [
                .cancel(.upgradeTimeout), .cancel(.upgradeNoop), .promoteProbe, .writeToWebSocket([.message("queued")]),
            ]
        )
        #expect(machine.transport == .webSocket)
        #expect(machine.send([.message("after")]) == [.writeToWebSocket([.message("after")])])
        #expect(machine.pollRequestArrived() == .refused(.transportMismatch, []))
        #expect(machine.upgradeRequested() == nil)
    }

    @Test func aPollPendingWhenTheUpgradeCompletesGetsNoop() {
        var machine = self.opened()
        _ = self.poll(&machine)
        _ = machine.upgradeRequested()
        _ = machine.probeReceived(.ping(payload: "probe"))
        _ = self.poll(&machine)
        let actions = machine.probeReceived(.upgrade)
        #expect(actions.contains(.respondToPoll([.noop])))
    }

    @Test func anyOtherPacketOnTheProbeCancelsTheUpgrade() {
        var machine = self.opened()
        _ = machine.upgradeRequested()
        #expect(
            machine.probeReceived(.message("too early")) == [
                .cancel(.upgradeTimeout), .cancel(.upgradeNoop), .closeProbe,
            ]
        )
        #expect(!machine.isUpgrading)
        #expect(machine.transport == .polling)
        #expect(machine.isOpen)
    }

    @Test func upgradeTimeoutClosesTheProbe() {
        var machine = self.opened()
        _ = machine.upgradeRequested()
        _ = machine.probeReceived(.ping(payload: "probe"))
        #expect(machine.upgradeTimeoutFired() == [.cancel(.upgradeNoop), .closeProbe])
        #expect(machine.transport == .polling)
        #expect(machine.upgradeRequested() != nil)
    }

    @Test func aClosedProbeCancelsTheUpgrade() {
        var machine = self.opened()
        _ = machine.upgradeRequested()
        #expect(machine.probeClosed() == [.cancel(.upgradeTimeout), .cancel(.upgradeNoop)])
        #expect(!machine.isUpgrading)
    }

    @Test func aSecondUpgradeWhileUpgradingIsRefused() {
        var machine = self.opened()
        #expect(machine.upgradeRequested() != nil)
        #expect(machine.upgradeRequested() == nil)
    }

    @Test func closingDuringAnUpgradeClosesTheProbe() {
        var machine = self.opened()
        _ = machine.upgradeRequested()
        #expect(machine.close(reason: .pingTimeout).contains(.closeProbe))
    }
}
