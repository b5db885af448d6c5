import STUNCodec
import TURNServer

extension CoturnConversion {
    /// The order keys are written in: the order of turn-config/switchboard.yaml, one section after another.
    static let keyOrder = [
        "threads", "process.pidFile", "log.level", "stun.addresses", "stun.port", "stun.udp", "stun.tcp",
        "stun.tlsPort",
        "stun.software", "turn.enabled",
        "turn.realm", "turn.users", "turn.secrets", "turn.nonceLifetimeSeconds", "turn.defaultLifetimeSeconds",
        "turn.maxLifetimeSeconds", "turn.permissionLifetimeSeconds", "turn.channelLifetimeSeconds",
        "turn.relay.portMin", "turn.relay.portMax", "turn.relay.addresses", "turn.relay.externalAddresses",
        "turn.quota.perUser", "turn.quota.total", "turn.peers.allow", "turn.peers.deny",
        "turn.tcpRelay",
        "turn.bandwidthLimitBytesPerSecond", "tls.certificateFile", "tls.privateKeyFile",
    ]

    /// Decides the options that depend on one another and writes the YAML.
    mutating func finish(sourceName: String) -> CoturnImport {
        var commentedOut: [String: (value: Value, comments: [String])] = [:]
        self.finishAddresses(commentedOut: &commentedOut)
        self.finishPorts()
        self.finishCredentials()
        self.finishPeers()
        self.finishTLS(commentedOut: &commentedOut)
        self.finishAdministration()
        if case .integer(let longest)? = self.values["turn.maxLifetimeSeconds"]?.value, longest < 600 {
            // Switchboard's default lifetime (600) must not exceed the longest one.
            self.values["turn.defaultLifetimeSeconds"] = (
                .integer(longest), "lowered to coturn's max-allocate-lifetime"
            )
        }

        var entries: [YAMLDocumentWriter.Entry] = []
        for path in Self.keyOrder {
            if let (value, source) = self.values[path] {
                entries.append(YAMLDocumentWriter.Entry(path: path, value: value, comments: ["from \(source)"]))
            } else if let (value, comments) = commentedOut[path] {
                entries.append(
                    YAMLDocumentWriter.Entry(path: path, value: value, comments: comments, isCommentedOut: true)
                )
            }
        }
        var lines = [
            "# Switchboard configuration converted from \(sourceName) by `switchboard import-coturn`.",
            "# Every key not written here keeps its default, documented in turn-config/switchboard.yaml;",
            "# docs/migrating-from-coturn.md explains each coturn option.",
            "",
        ]
        if !entries.isEmpty {
            lines.append(YAMLDocumentWriter.render(entries))
            lines.append("")
        }
        lines += Self.footer("Differences to review", self.differences())
        // In file order; a warning about something the file leaves out comes last.
        let warnings = self.warnings.enumerated().sorted {
            ($0.element.line ?? Int.max, $0.offset) < ($1.element.line ?? Int.max, $1.offset)
        }.map(\.element)
        let notes = self.notes.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }
        lines += Self.footer("Carried over by Switchboard's own behaviour, no key needed", notes.map(\.element.text))
        lines += Self.footer("Not carried over (each printed as a warning)", warnings.map(\.footerText))
        let containsSecrets = self.values["turn.users"] != nil || self.values["turn.secrets"] != nil
        return CoturnImport(
            yaml: lines.joined(separator: "\n") + "\n",
            warnings: warnings,
            containsSecrets: containsSecrets
        )
    }

    private static func footer(_ title: String, _ items: [String]) -> [String] {
        guard !items.isEmpty else {
            return []
        }
        return ["# \(title):"] + items.map { "#   \($0)" } + [""]
    }

    private func differences() -> [String] {
        var differences = [
            "coturn relays to peers on private, CGNAT, link-local and multicast addresses unless denied-peer-ip "
                + "lists them; Switchboard denies them unless turn.peers.allow lists them.",
            "coturn has no per-client-address allocation limit; Switchboard allows 10 per address "
                + "(turn.quota.perClientAddress; 0 is unlimited).",
        ]
        if self.values["turn.quota.perUser"] == nil {
            differences.append(
                "coturn has no per-user allocation limit without user-quota; Switchboard allows 10 per user "
                    + "(turn.quota.perUser; 0 is unlimited)."
            )
        }
        return differences
    }

    /// The address family of a directive holding an IP address (checked by `checkAddress`).
    private static func family(of directive: CoturnDirective) -> STUNAddressFamily? {
        TransportAddress.IP(directive.value).map { TransportAddress(ip: $0, port: 0).family }
    }

    private mutating func finishAddresses(commentedOut: inout [String: (value: Value, comments: [String])]) {
        let listening = self.listeningIPs.filter { self.checkAddress($0) }
        if !listening.isEmpty {
            self.values["stun.addresses"] = (
                .strings(listening.map(\.value)), "coturn listening-ip (\(Self.lines(listening)))"
            )
        }
        var relays: [CoturnDirective] = []
        for relay in self.relayIPs where self.checkAddress(relay) {
            if relays.contains(where: { Self.family(of: $0) == Self.family(of: relay) }) {
                self.warn(relay, "Switchboard takes one relay address per family; this one is left out")
            } else {
                relays.append(relay)
            }
        }
        if !relays.isEmpty {
            self.values["turn.relay.addresses"] = (
                .strings(relays.map(\.value)), "coturn relay-ip (\(Self.lines(relays)))"
            )
        }
        var mappings: [CoturnDirective] = []
        for mapping in self.externalIPs {
            let parts = mapping.value.split(separator: "/", omittingEmptySubsequences: false)
            if (1...2).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && IPAddressRange(String($0)) != nil }) {
                mappings.append(mapping)
            } else {
                self.warn(mapping, "expected PUBLIC-IP or PUBLIC-IP/PRIVATE-IP")
            }
        }
        guard !mappings.isEmpty else {
            return
        }
        let source = "coturn external-ip (\(Self.lines(mappings)))"
        if self.supportsExternalAddresses {
            self.values["turn.relay.externalAddresses"] = (.strings(mappings.map(\.value)), source)
        } else {
            commentedOut["turn.relay.externalAddresses"] = (
                .strings(mappings.map(\.value)),
                ["from \(source): this Switchboard has no turn.relay.externalAddresses; remove the # once it has"]
            )
            for mapping in mappings {
                self.warn(
                    mapping,
                    "written commented out: this Switchboard cannot advertise a public relay address yet, so relay "
                        + "candidates carry the address the server binds"
                )
            }
        }
    }

    private mutating func checkAddress(_ directive: CoturnDirective) -> Bool {
        guard !directive.value.contains("/"), IPAddressRange(directive.value) != nil else {
            self.warn(directive, "expected an IPv4 or IPv6 address")
            return false
        }
        return true
    }

    private mutating func finishPorts() {
        var bounds: [String: (Int, CoturnDirective)] = [:]
        for (directive, path) in [(self.minPort, "turn.relay.portMin"), (self.maxPort, "turn.relay.portMax")] {
            guard let directive else {
                continue
            }
            guard let port = Int(directive.value), (1024...65535).contains(port) else {
                self.warn(directive, "expected a port from 1024 to 65535 (Switchboard relays on unprivileged ports)")
                continue
            }
            bounds[path] = (port, directive)
        }
        let low = bounds["turn.relay.portMin"]?.0 ?? 49152
        let high = bounds["turn.relay.portMax"]?.0 ?? 65535
        guard low <= high else {
            for (_, directive) in bounds.values {
                self.warn(directive, "min-port is above max-port; both are left out")
            }
            return
        }
        for (path, (port, directive)) in bounds {
            self.set(path, .integer(port), directive)
        }
    }

    static func lines(_ directives: [CoturnDirective]) -> String {
        let numbers = directives.map { String($0.line) }
        return (numbers.count == 1 ? "line " : "lines ") + numbers.joined(separator: ", ")
    }
}
