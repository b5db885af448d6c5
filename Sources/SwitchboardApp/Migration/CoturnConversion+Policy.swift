extension CoturnConversion {
    /// Static users or REST secrets, as coturn would accept them: with `use-auth-secret` (or any
    /// `static-auth-secret`) coturn ignores `user=` accounts, and with neither it serves TURN to anyone.
    mutating func finishCredentials() {
        if self.useAuthSecret != nil || !self.secrets.isEmpty {
            if let flag = self.useAuthSecret, self.secrets.isEmpty {
                self.warn(
                    flag,
                    "no static-auth-secret in the file (coturn would read secrets from its database): list them in "
                        + "turn.secrets, or Switchboard signs and accepts only a random secret made at each start"
                )
            } else {
                self.values["turn.secrets"] = (
                    .strings(self.secrets.map(\.value)), "coturn static-auth-secret (\(Self.lines(self.secrets)))"
                )
            }
            for user in self.users {
                self.warn(user, "left out: coturn ignores user= accounts when use-auth-secret is on")
            }
            return
        }
        var accounts: [CoturnDirective] = []
        for user in self.users {
            let name = user.value.prefix { $0 != ":" }
            let password = user.value.dropFirst(name.count + 1).drop { $0 == " " || $0 == "\t" }
            if name.isEmpty || password.isEmpty || name.count == user.value.count {
                self.warn(user, "expected NAME:PASSWORD")
            } else if password.hasPrefix("0x") {
                self.warn(user, "a key (0x...) cannot be carried over: Switchboard needs the password itself")
            } else {
                accounts.append(CoturnDirective(name: user.name, value: "\(name):\(password)", line: user.line))
            }
        }
        if !accounts.isEmpty {
            self.values["turn.users"] = (.strings(accounts.map(\.value)), "coturn user (\(Self.lines(accounts)))")
        }
        if let noAuth = self.noAuth {
            self.warn(noAuth, "Switchboard always requires credentials; set turn.users or turn.secrets")
        } else if accounts.isEmpty, let flag = self.ltCredMech {
            self.warn(
                flag,
                "no user= account carried over (coturn may read them from its database): list them in turn.users"
            )
        } else if accounts.isEmpty && self.users.isEmpty {
            self.warn(
                line: nil,
                key: "lt-cred-mech",
                "the file turns on no credentials, so coturn serves TURN to anyone; Switchboard always requires "
                    + "credentials and, without turn.users or turn.secrets, signs them with a random secret made at start"
            )
        }
    }

    /// coturn denies loopback (unless `allow-loopback-peers`) and, with `no-multicast-peers`, multicast before it
    /// reads its lists; then `allowed-peer-ip` wins over `denied-peer-ip`. Switchboard reads `turn.peers.deny` first,
    /// so the allowed ranges are taken out of the denied ones and the lists say exactly what coturn did.
    mutating func finishPeers() {
        let loopback = Self.ranges("127.0.0.0/8", "::1")
        var allowed = self.allowedPeers.reduce(IPIntervalSet()) { $0.union($1.range) }
        if self.allowLoopbackPeers == nil {
            allowed = allowed.subtracting(loopback)
        }
        if self.noMulticastPeers != nil {
            allowed = allowed.subtracting(Self.ranges("224.0.0.0-255.255.255.255", "ff00::/8"))
        }
        allowed = allowed.subtracting(Self.ranges("0.0.0.0", "::"))
        let denied = self.deniedPeers.reduce(IPIntervalSet()) { $0.union($1.range) }.subtracting(allowed)
        var allowSources = self.allowedPeers.map(\.directive)
        if let flag = self.allowLoopbackPeers {
            allowed = allowed.union(loopback)
            allowSources.append(flag)
        }
        if !allowed.isEmpty {
            let names = Set(allowSources.map(\.name)).sorted().joined(separator: ", ")
            allowSources.sort { $0.line < $1.line }
            self.values["turn.peers.allow"] = (
                .strings(allowed.cidrRanges), "coturn \(names) (\(Self.lines(allowSources)))"
            )
        }
        if !denied.isEmpty {
            let sources = self.deniedPeers.map(\.directive)
            self.values["turn.peers.deny"] = (
                .strings(denied.cidrRanges), "coturn denied-peer-ip (\(Self.lines(sources))), less the allowed ranges"
            )
        }
    }

    private static func ranges(_ texts: String...) -> IPIntervalSet {
        texts.compactMap { IPIntervalSet(coturnRange: $0) }.reduce(IPIntervalSet()) { $0.union($1) }
    }

    /// coturn serves TURN over TLS on `tls-listening-port` (5349) when it has a certificate and no `no-tls`, and
    /// DTLS on the same port unless `no-dtls`. Switchboard serves TURN over TLS on `stun.tlsPort` with the same
    /// certificate and key (TLS 1.2 and 1.3 only), and no DTLS.
    mutating func finishTLS(commentedOut: inout [String: (value: Value, comments: [String])]) {
        let servesTLS = self.certificate != nil && self.noTLS == nil
        let files = [(self.certificate, "tls.certificateFile"), (self.privateKey, "tls.privateKeyFile")]
        if servesTLS, let certificate = self.certificate, let privateKey = self.privateKey {
            self.set("tls.certificateFile", .string(certificate.value), certificate)
            self.set("tls.privateKeyFile", .string(privateKey.value), privateKey)
            let port = self.tlsListeningPort ?? 5349
            self.values["stun.tlsPort"] = (
                .integer(port), "coturn tls-listening-port" + (self.tlsListeningPort == nil ? " (its default)" : "")
            )
        } else {
            for case (let directive?, let path) in files {
                let reason =
                    servesTLS
                    ? "coturn had no pkey; set tls.privateKeyFile and stun.tlsPort to serve TURN over TLS"
                    : "coturn served no TURN over TLS (no-tls); set stun.tlsPort to serve it, or tls.port for HTTPS"
                commentedOut[path] = (
                    .string(directive.value), ["from coturn \(directive.name) (line \(directive.line)): \(reason)"]
                )
            }
            if servesTLS, let certificate = self.certificate {
                self.warn(certificate, "TURN over TLS needs a private key too (coturn pkey): not served")
            }
        }
        if let certificate = self.certificate, self.noDTLS == nil {
            self.warn(
                certificate,
                "coturn also served DTLS on that port; Switchboard serves no DTLS, clients use turns: over TLS"
            )
        }
        for flag in [self.noTLS, self.noDTLS].compactMap({ $0 }) {
            self.note(
                flag,
                "nothing to turn off: without stun.tlsPort Switchboard serves no TURN over TLS, and never DTLS"
            )
        }
        for option in self.tlsOptions {
            switch option.name {
            case "tls-listening-port" where servesTLS:
                self.note(option, "stun.tlsPort")
            case "no-tlsv1", "no-tlsv1_1":
                self.note(option, "Switchboard serves TLS 1.2 and 1.3 only")
            case _ where servesTLS:
                self.warn(option, "Switchboard uses its own TLS settings (TLS 1.2 and 1.3, the library's ciphers)")
            default:
                self.note(option, "only tunes TURN over TLS, which this file does not serve")
            }
        }
    }

    /// coturn's telnet CLI runs unless `no-cli` or without a `cli-password`; its web admin only with `web-admin`.
    mutating func finishAdministration() {
        let replacement =
            "Switchboard's operator page /status, /api/status and /metrics are served to loopback "
            + "clients, to admin.tokens, or on admin.port"
        let cliRuns = !self.noCLI && self.cliPasswordSet
        for option in self.cliOptions {
            if cliRuns {
                self.warn(option, "Switchboard has no telnet CLI; \(replacement)")
            } else {
                self.note(option, "coturn's CLI is off in this file (no-cli or no cli-password)")
            }
        }
        for option in self.webAdminOptions {
            if self.webAdmin {
                self.warn(option, "Switchboard has no web admin; \(replacement)")
            } else {
                self.note(option, "coturn's web admin is off in this file")
            }
        }
    }
}
