import STUNCodec

/// What an Allocate request asks for, read from its attributes and checked against RFC 8656 §7.2, RFC 6156 and
/// RFC 6062 §5.1 before anything is bound. Pure: the rules are tested without a server.
struct AllocateRequest: Equatable {
    /// The transport of the relayed address (REQUESTED-TRANSPORT).
    enum Transport: Equatable {
        case udp
        /// RFC 6062: a TCP relayed address, for a client on a TCP or TLS connection.
        case tcp
    }

    /// Where the relay addresses come from.
    enum Relay: Equatable {
        /// New relay sockets: one of `primary` (REQUESTED-ADDRESS-FAMILY, IPv4 when absent) and, with
        /// ADDITIONAL-ADDRESS-FAMILY, a second one of IPv6 (RFC 8656 §7.2, dual allocation).
        case new(primary: STUNAddressFamily, additionalIPv6: Bool)
        /// The port an earlier Allocate reserved with EVEN-PORT (R bit), named by its RESERVATION-TOKEN.
        case reserved(token: UInt64)
    }

    var transport: Transport
    var relay: Relay
    /// EVEN-PORT: the relay port must be even (RFC 8656 §14.6).
    var evenPort: Bool
    /// EVEN-PORT with the R bit: also reserve the next higher port for a later Allocate.
    var reservesNextPort: Bool
    /// LIFETIME asked for, clamped later (``TURNLifetimes/grantedAllocationLifetime(requestedSeconds:)``).
    var requestedLifetimeSeconds: UInt32?

    /// Reads and checks the attributes: 400 when REQUESTED-TRANSPORT is missing or an attribute is malformed or
    /// combined with one it excludes, 442 for a transport other than UDP and TCP (or TCP when `tcpRelay` is off).
    /// RFC 6062 §5.1: TCP needs a client on TCP or TLS (`clientTransport`), and excludes DONT-FRAGMENT, EVEN-PORT
    /// and RESERVATION-TOKEN (400); a TCP allocation has one address family.
    init(
        _ message: STUNMessage,
        clientTransport: ClientTransport = .udp,
        tcpRelay: Bool = true
    ) throws(TURNRequestError) {
        guard let requested = try? message.attribute(RequestedTransport.self) else {
            throw TURNRequestError.badRequest("REQUESTED-TRANSPORT missing")
        }
        switch requested.protocolNumber {
        case RequestedTransport.udp.protocolNumber:
            self.transport = .udp
        case RequestedTransport.tcp.protocolNumber where tcpRelay:
            guard clientTransport == .tcp else {
                throw TURNRequestError.badRequest("TCP relay needs a TCP or TLS connection")
            }
            guard !message.contains(.dontFragment), !message.contains(.evenPort),
                !message.contains(.reservationToken), !message.contains(.additionalAddressFamily)
            else {
                throw TURNRequestError.badRequest("TCP relay with DONT-FRAGMENT, EVEN-PORT, RESERVATION-TOKEN or dual")
            }
            self.transport = .tcp
        default:
            throw TURNRequestError(.unsupportedTransportProtocol)
        }
        let evenPort: EvenPort?
        let reservationToken: ReservationToken?
        let requestedFamily: RequestedAddressFamily?
        let additionalFamily: AdditionalAddressFamily?
        do {
            evenPort = try message.attribute(EvenPort.self)
            reservationToken = try message.attribute(ReservationToken.self)
            requestedFamily = try message.attribute(RequestedAddressFamily.self)
            additionalFamily = try message.attribute(AdditionalAddressFamily.self)
            self.requestedLifetimeSeconds = try message.attribute(Lifetime.self)?.seconds
        } catch {
            throw TURNRequestError.badRequest("Malformed attribute")
        }
        if reservationToken != nil && (evenPort != nil || requestedFamily != nil || additionalFamily != nil) {
            throw TURNRequestError.badRequest("RESERVATION-TOKEN with EVEN-PORT or an address family")
        }
        if requestedFamily != nil && additionalFamily != nil {
            throw TURNRequestError.badRequest("REQUESTED-ADDRESS-FAMILY with ADDITIONAL-ADDRESS-FAMILY")
        }
        if let additionalFamily, additionalFamily.family != .ipv6 {
            throw TURNRequestError.badRequest("ADDITIONAL-ADDRESS-FAMILY must be IPv6")
        }
        if let reservationToken {
            self.relay = .reserved(token: reservationToken.token)
        } else {
            self.relay = .new(primary: requestedFamily?.family ?? .ipv4, additionalIPv6: additionalFamily != nil)
        }
        self.evenPort = evenPort != nil
        self.reservesNextPort = evenPort?.reserveNextHigherPort == true
    }
}
