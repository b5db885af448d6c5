import Crypto
import LoadGeneratorSupport

/// One TURN allocation (RFC 8656) on its own connected UDP socket, with the long-term credential state that its
/// authenticated requests need (RFC 8489 §9.2): REALM and NONCE from the server, key MD5(username:realm:password).
final class TURNAllocation {
    /// The client socket; its 5-tuple identifies the allocation.
    let socket: UDPSocket
    /// XOR-RELAYED-ADDRESS of the Allocate success response (host byte order), once allocated.
    private(set) var relayedAddress: (address: UInt32, port: UInt16)?
    private let username: String
    private let password: String
    private var realm: [UInt8] = []
    private var nonce: [UInt8] = []
    private var key: [UInt8] = []
    private var generator = SplitMix64()

    /// REQUESTED-TRANSPORT value for UDP (protocol 17, then RFFU).
    private static let udpTransport: [UInt8] = [17, 0, 0, 0]
    /// Authenticated requests retried after 438 (Stale Nonce) with the fresh NONCE.
    private static let staleNonceRetries = 2

    /// Opens a socket connected to `server`; nothing is sent yet.
    init(server: ServerAddress, username: String, password: String) throws(SetupFailure) {
        do {
            self.socket = try UDPSocket(connectingTo: server)
        } catch {
            throw SetupFailure(error)
        }
        self.username = username
        self.password = password
    }

    /// Allocate without credentials, expecting 401 with REALM and NONCE (RFC 8656 §7.1, RFC 8489 §9.2.4), then
    /// Allocate again with USERNAME, REALM, NONCE and MESSAGE-INTEGRITY.
    func allocate() throws(SetupFailure) {
        let id = TransactionID(using: &self.generator)
        var builder = STUNMessageBuilder(type: STUNMessageType.allocateRequest, transactionID: id)
        builder.append(STUNAttributeType.requestedTransport, value: Self.udpTransport)
        let challenge = try Transaction.exchange(builder.bytes, id: id, fd: self.socket.fd)
        guard challenge.type == STUNMessageType.allocateError, challenge.errorCode?.code == 401,
            let realm = challenge.value(of: STUNAttributeType.realm),
            let nonce = challenge.value(of: STUNAttributeType.nonce)
        else {
            throw SetupFailure(
                "unauthenticated Allocate: expected 401 with REALM and NONCE, got \(Self.describe(challenge))",
                errorCode: challenge.errorCode?.code
            )
        }
        self.realm = realm
        self.nonce = nonce
        self.key = Array(
            Insecure.MD5.hash(data: Array("\(self.username):".utf8) + realm + Array(":\(self.password)".utf8))
        )

        let response = try self.authenticatedRequest(
            STUNMessageType.allocateRequest,
            success: STUNMessageType.allocateSuccess,
            name: "Allocate",
            attributes: [(STUNAttributeType.requestedTransport, Self.udpTransport)]
        )
        guard let relayed = response.value(of: STUNAttributeType.xorRelayedAddress).flatMap(XORAddress.decodeIPv4)
        else {
            throw SetupFailure("Allocate success without an IPv4 XOR-RELAYED-ADDRESS")
        }
        self.relayedAddress = relayed
    }

    /// ChannelBind of channel `number` to `peer` (host byte order), RFC 8656 §12.1; it also installs the permission.
    func bindChannel(_ number: UInt16, to peer: (address: UInt32, port: UInt16)) throws(SetupFailure) {
        _ = try self.authenticatedRequest(
            STUNMessageType.channelBindRequest,
            success: STUNMessageType.channelBindSuccess,
            name: "ChannelBind",
            attributes: [
                (STUNAttributeType.channelNumber, [UInt8(number >> 8), UInt8(truncatingIfNeeded: number), 0, 0]),
                (STUNAttributeType.xorPeerAddress, XORAddress.encodeIPv4(address: peer.address, port: peer.port)),
            ]
        )
    }

    /// Refresh with LIFETIME 0 (RFC 8656 §8): deletes the allocation. Returns whether the server confirmed.
    func release() -> Bool {
        do {
            _ = try self.authenticatedRequest(
                STUNMessageType.refreshRequest,
                success: STUNMessageType.refreshSuccess,
                name: "Refresh",
                attributes: [(STUNAttributeType.lifetime, [0, 0, 0, 0])]
            )
            return true
        } catch {
            return false
        }
    }

    /// Sends a request with `attributes`, then USERNAME, REALM, NONCE and MESSAGE-INTEGRITY; returns the success
    /// response after checking its MESSAGE-INTEGRITY. A 438 is retried with the new NONCE; other errors throw.
    private func authenticatedRequest(
        _ type: UInt16,
        success: UInt16,
        name: String,
        attributes: [(UInt16, [UInt8])]
    ) throws(SetupFailure) -> STUNMessageView {
        for _ in 0...Self.staleNonceRetries {
            let id = TransactionID(using: &self.generator)
            var builder = STUNMessageBuilder(type: type, transactionID: id)
            for (attributeType, value) in attributes {
                builder.append(attributeType, value: value)
            }
            builder.append(STUNAttributeType.username, value: Array(self.username.utf8))
            builder.append(STUNAttributeType.realm, value: self.realm)
            builder.append(STUNAttributeType.nonce, value: self.nonce)
            builder.appendMessageIntegrity(key: self.key)
            let response = try Transaction.exchange(builder.bytes, id: id, fd: self.socket.fd)
            if response.type == success {
                guard response.hasValidMessageIntegrity(key: self.key) else {
                    throw SetupFailure("\(name) success response without a valid MESSAGE-INTEGRITY")
                }
                return response
            }
            if response.errorCode?.code == 438, let nonce = response.value(of: STUNAttributeType.nonce) {
                self.nonce = nonce
                continue
            }
            let hint = response.errorCode?.code == 401 ? " (wrong --user or --password?)" : ""
            throw SetupFailure("\(name): \(Self.describe(response))\(hint)", errorCode: response.errorCode?.code)
        }
        throw SetupFailure("\(name): still 438 (Stale Nonce) after \(Self.staleNonceRetries) retries")
    }

    /// The type and error code of a response, for messages.
    private static func describe(_ message: STUNMessageView) -> String {
        let type = "0x" + String(message.type, radix: 16)
        guard let error = message.errorCode else {
            return "type \(type)"
        }
        return "type \(type), error \(error.code) \(error.reason)"
    }
}
