import NIOConcurrencyHelpers
import NIOCore
import STUNCodec

/// RFC 8656 §7.2 EVEN-PORT with R bit: relay ports held for a later Allocate that presents the RESERVATION-TOKEN.
/// Shared by every event loop (the second Allocate may arrive on another one), touched only by Allocate.
final class ReservationRegistry: Sendable {
    struct Reservation {
        var address: TransportAddress
        var channel: any Channel
        var expiry: NIODeadline
        /// The quota place the reservation holds until it is claimed or expires.
        var quotaHolder: QuotaLedger.Holder
    }

    /// RFC 8656 §7.2: a reservation lasts about 30 seconds.
    static let lifetime = TimeAmount.seconds(30)

    private let reservations = NIOLockedValueBox<[UInt64: Reservation]>([:])

    func insert(token: UInt64, _ reservation: Reservation) {
        self.reservations.withLockedValue { $0[token] = reservation }
    }

    /// Takes the reservation out of the registry; the caller closes its socket and binds the port again.
    func take(token: UInt64) -> Reservation? {
        self.reservations.withLockedValue { $0.removeValue(forKey: token) }
    }

    /// Drops expired reservations, closing their sockets; returns them so that their quota places are given back.
    func sweep(now: NIODeadline) -> [Reservation] {
        let expired = self.reservations.withLockedValue { reservations -> [Reservation] in
            let expired = reservations.filter { now >= $0.value.expiry }
            for token in expired.keys {
                reservations[token] = nil
            }
            return Array(expired.values)
        }
        for reservation in expired {
            reservation.channel.close(promise: nil)
        }
        return expired
    }

    /// Reservations held now.
    var count: Int {
        self.reservations.withLockedValue { $0.count }
    }

    func closeAll() {
        let all = self.reservations.withLockedValue { reservations -> [Reservation] in
            defer { reservations = [:] }
            return Array(reservations.values)
        }
        for reservation in all {
            reservation.channel.close(promise: nil)
        }
    }
}
