import STUNCodec
import TURNServer

extension TURNConfiguration {
    /// Parses `turn.relay.externalAddresses` and checks that each private address is one a relay binds: the
    /// `turn.relay.addresses` entry of its family, else a listening address of that family (any, under a wildcard).
    /// The host is the public IP handed out in ICE servers, IPv4 first.
    static func externalAddresses(
        _ entries: [String],
        announced: String?,
        relayAddresses: [TransportAddress.IP],
        listeningAddresses: [TransportAddress.IP],
        origin: ConfigurationOrigin
    ) throws(ConfigurationError) -> (map: ExternalAddressMap, host: String?) {
        let key = "turn.relay.externalAddresses"
        let announcedIPs = announced.flatMap(TransportAddress.IP.init).map { [$0] } ?? []
        let map: ExternalAddressMap
        do throws(ExternalAddressMap.ParseError) {
            map = try ExternalAddressMap.parse(entries, announcedIPs: announcedIPs)
        } catch {
            throw ConfigurationError(key: key, origin: origin, message: error.message)
        }
        for family in STUNAddressFamily.allCases {
            guard map.publicIP(family: family) != nil else {
                continue
            }
            let name = family == .ipv4 ? "IPv4" : "IPv6"
            let relays = relayAddresses.filter { ExternalAddressMap.family($0) == family }
            let listening = listeningAddresses.filter { ExternalAddressMap.family($0) == family }
            let bindable = relays.isEmpty ? listening : relays
            guard !bindable.isEmpty else {
                throw ConfigurationError(
                    key: key,
                    origin: origin,
                    message: "maps an \(name) address, but neither turn.relay.addresses nor stun.addresses has one"
                )
            }
            guard let privateIP = map.privateIP(family: family) else {
                continue
            }
            let anyInterface = relays.isEmpty && listening.contains(where: \.isUnspecified)
            guard anyInterface || bindable.contains(privateIP) else {
                let source = relays.isEmpty ? "stun.addresses" : "turn.relay.addresses"
                let written = (relays.isEmpty ? listeningAddresses : relayAddresses).map(\.text)
                throw ConfigurationError(
                    key: key,
                    origin: origin,
                    message: "the private \(name) address is not one the relay binds (\(source): "
                        + "\(written.joined(separator: ", ")))"
                )
            }
        }
        let publicIPs = map.mappings.map(\.publicIP)
        let host = publicIPs.first { ExternalAddressMap.family($0) == .ipv4 } ?? publicIPs.first
        return (map, host?.text)
    }
}
