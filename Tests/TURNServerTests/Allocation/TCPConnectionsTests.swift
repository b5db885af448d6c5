import NIOCore
import STUNCodec
import Testing

@testable import TURNServer

/// RFC 6062 §5.2-§5.4 bookkeeping of a TCP allocation's peer connections, with synthetic time.
@Suite struct TCPConnectionsTests {
    let start = NIODeadline.uptimeNanoseconds(1_000_000_000_000)
    let peer = TransportAddress(ip: .v4(0xC633_6401), port: 5000)  // 198.51.100.1
    let otherPeer = TransportAddress(ip: .v4(0xC633_6402), port: 5000)

    func at(_ seconds: Int64) -> NIODeadline {
        self.start + .seconds(seconds)
    }

    @Test func oneConnectionPerPeerAddress() {
        var connections = TCPConnections(limit: 8)
        #expect(connections.decide(peer: self.peer) == .allowed)
        connections.connecting(1, to: self.peer)
        // Being opened, waiting for its bind, bound: a second Connect to the same peer is 446 in every state.
        #expect(connections.decide(peer: self.peer) == .alreadyExists)
        do {
            let result = connections.connected(1, now: self.start)
            #expect(result)
        }
        #expect(connections.decide(peer: self.peer) == .alreadyExists)
        do {
            let result = connections.bound(1)
            #expect(result)
        }
        #expect(connections.decide(peer: self.peer) == .alreadyExists)
        // Another port of the same IP is another peer.
        #expect(connections.decide(peer: TransportAddress(ip: self.peer.ip, port: 5001)) == .allowed)
        #expect(connections.decide(peer: self.otherPeer) == .allowed)
        connections.remove(1)
        #expect(connections.decide(peer: self.peer) == .allowed)
    }

    @Test func theLimitCountsEveryState() {
        var connections = TCPConnections(limit: 2)
        connections.connecting(1, to: self.peer)
        connections.accepted(2, from: self.otherPeer, now: self.start)
        #expect(connections.decide(peer: TransportAddress(ip: .v4(0xC633_6403), port: 1)) == .tooMany)
        connections.remove(2)
        #expect(connections.decide(peer: TransportAddress(ip: .v4(0xC633_6403), port: 1)) == .allowed)
    }

    @Test func unboundConnectionsCloseAfter30Seconds() {
        var connections = TCPConnections(limit: 8)
        connections.connecting(1, to: self.peer)
        // Connecting: the connect timeout covers it, not the bind timeout.
        do {
            let result = connections.removeUnbound(now: self.at(60))
            #expect(result.isEmpty)
        }
        do {
            let result = connections.connected(1, now: self.at(60))
            #expect(result)
        }
        connections.accepted(2, from: self.otherPeer, now: self.at(70))
        do {
            let result = connections.removeUnbound(now: self.at(89))
            #expect(result.isEmpty)
        }
        do {
            let result = connections.removeUnbound(now: self.at(90))
            #expect(result == [1])
        }
        do {
            let result = connections.bound(2)
            #expect(result)
        }
        // Bound: it lives as long as its two TCP connections.
        do {
            let result = connections.removeUnbound(now: self.at(1000))
            #expect(result.isEmpty)
        }
        #expect(connections.connections[2]?.state == .bound)
    }

    @Test func onlyAWaitingConnectionCanBeBound() {
        var connections = TCPConnections(limit: 8)
        do {
            let result = connections.bound(7)
            #expect(!result)
        }
        connections.connecting(1, to: self.peer)
        do {
            let result = connections.bound(1)
            #expect(!result)
        }
        do {
            let result = connections.connected(1, now: self.start)
            #expect(result)
        }
        do {
            let result = connections.bound(1)
            #expect(result)
        }
        do {
            let result = connections.bound(1)
            #expect(!result)
        }
        // A connection that failed or closed is not connected later.
        connections.remove(1)
        do {
            let result = connections.connected(1, now: self.start)
            #expect(!result)
        }
    }
}
