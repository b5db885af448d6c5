import STUNCodec

/// What an Allocate request asks for, read from its attributes and checked against RFC 8656 §7.2 and RFC 6156
/// before anything is bound. Pure: the rules are tested without a server.
struct AllocateRequest: Equatable {
    /// Where the relay addresses come from.
    enum Relay: Equatable {
        /// New relay sockets: one of `primary` (REQUESTED-ADDRESS-FAMILY, IPv4 when absent) and, with
        /// ADDITIONAL-ADDRESS-FAMILY, a second one of IPv6 (RFC 8656 §7.2, dual allocation).
        case new(primary: STUNAddressFamily, additionalIPv6: Bool)
        /// The port an earlier Allocate reserved with EVEN-PORT (R bit), named by its RESERVATION-TOKEN.
        case reserved(token: UInt64)
    }

    var relay: Relay
    /// EVEN-PORT: the relay port must be even (RFC 8656 §14.6).
    var evenPort: Bool
    /// EVEN-PORT with the R bit: also reserve the next higher port for a later Allocate.
    var reservesNextPort: Bool
    /// LIFETIME asked for, clamped later (``TURNLifetimes/grantedAllocationLifetime(requestedSeconds:)``).
    var requestedLifetimeSeconds: UInt32?

    /// Reads and checks the attributes: 400 when REQUESTED-TRANSPORT is missing or an attribute is malformed or
    /// combined with one it excludes, 442 for a transport other than UDP.
    init(_ message: STUNMessage) throws(TURNRequestError) {
        guard let transport = try? message.attribute(RequestedTransport.self) else {
            throw TURNRequestError.badRequest("REQUESTED-TRANSPORT missing")
        }
        guard transport.protocolNumber == RequestedTransport.udp.protocolNumber else {
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
