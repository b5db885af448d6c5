/// The state of one coturn-to-Switchboard conversion: options read so far, the keys they set and the warnings.
/// Options whose meaning depends on others (credentials, peers, TLS, the admin interfaces) are collected here and
/// decided in ``finish(sourceName:)``.
struct CoturnConversion {
    typealias Value = YAMLDocumentWriter.Value

    /// Keys set from one option each: the value and the comment naming the option's line. Last one wins, as in coturn.
    var values: [String: (value: Value, source: String)] = [:]
    var warnings: [CoturnImportWarning] = []
    /// Options that need no key because Switchboard already behaves so: line and footer text.
    var notes: [(line: Int, text: String)] = []

    var listeningIPs: [CoturnDirective] = []
    var relayIPs: [CoturnDirective] = []
    var externalIPs: [CoturnDirective] = []
    var users: [CoturnDirective] = []
    var secrets: [CoturnDirective] = []
    var useAuthSecret: CoturnDirective?
    var ltCredMech: CoturnDirective?
    var noAuth: CoturnDirective?
    var allowedPeers: [(range: IPIntervalSet, directive: CoturnDirective)] = []
    var deniedPeers: [(range: IPIntervalSet, directive: CoturnDirective)] = []
    var allowLoopbackPeers: CoturnDirective?
    var noMulticastPeers: CoturnDirective?
    var certificate: CoturnDirective?
    var privateKey: CoturnDirective?
    var noTLS: CoturnDirective?
    var noDTLS: CoturnDirective?
    var tlsListeningPort: Int?
    /// Options that only tune TURN over TLS or DTLS.
    var tlsOptions: [CoturnDirective] = []
    var noCLI = false
    var cliPasswordSet = false
    var cliOptions: [CoturnDirective] = []
    var webAdmin = false
    var webAdminOptions: [CoturnDirective] = []
    var minPort: CoturnDirective?
    var maxPort: CoturnDirective?

    let supportsExternalAddresses: Bool

    init(supportsExternalAddresses: Bool) {
        self.supportsExternalAddresses = supportsExternalAddresses
    }

    // MARK: - Reading

    // One option per case; the tables in docs/migrating-from-coturn.md follow this order.
    mutating func read(_ directive: CoturnDirective) {
        if directive.endsWithSemicolon {
            self.warn(directive, "the value ends with ';', which coturn keeps as part of it; check the line")
        }
        if directive.value.contains(" #") || directive.value.contains("\t#") {
            self.warn(directive, "coturn keeps '#' and what follows as part of the value; check the line")
        }
        switch directive.name {
        case "listening-port": self.setInteger(directive, "stun.port", 1...65535)
        case "listening-ip": self.listeningIPs.append(directive)
        case "relay-ip": self.relayIPs.append(directive)
        case "external-ip": self.externalIPs.append(directive)
        case "min-port": self.minPort = directive
        case "max-port": self.maxPort = directive
        case "realm":
            if directive.value.isEmpty {
                self.warn(directive, "an empty realm is not carried over")
            } else {
                self.set("turn.realm", .string(directive.value), directive)
            }
        case "lt-cred-mech": self.ltCredMech = directive
        case "user": self.users.append(directive)
        case "use-auth-secret": self.useAuthSecret = directive
        case "static-auth-secret":
            if directive.value.isEmpty {
                self.warn(directive, "an empty secret is not carried over")
            } else {
                self.secrets.append(directive)
            }
        case "no-auth":
            if self.flag(directive) == true {
                self.noAuth = directive
            }
        case "rest-api-separator":
            if directive.value != ":" {
                self.warn(
                    directive,
                    "Switchboard's REST usernames are \"<expiry>:<user>\"; another separator is not read"
                )
            }
        case "user-quota": self.setInteger(directive, "turn.quota.perUser", 0...1_000_000)
        case "total-quota": self.setInteger(directive, "turn.quota.total", 0...10_000_000)
        case "max-bps": self.readMaxBPS(directive)
        case "allowed-peer-ip", "denied-peer-ip": self.readPeerRange(directive)
        case "allow-loopback-peers": self.allowLoopbackPeers = self.flag(directive) == true ? directive : nil
        case "no-multicast-peers":
            self.noMulticastPeers = self.flag(directive) == true ? directive : nil
            self.note(directive, "Switchboard denies multicast peers by default")
        case "no-loopback-peers": self.note(directive, "Switchboard denies loopback peers by default")
        case "cert": self.certificate = directive
        case "pkey": self.privateKey = directive
        case "no-udp": self.setFlag(directive, "stun.udp", inverted: true)
        case "no-tcp": self.setFlag(directive, "stun.tcp", inverted: true)
        case "no-tls": self.noTLS = self.flag(directive) == true ? directive : nil
        case "no-dtls": self.noDTLS = self.flag(directive) == true ? directive : nil
        case "tls-listening-port":
            self.tlsListeningPort = Int(directive.value)
            self.tlsOptions.append(directive)
        case "alt-tls-listening-port", "cipher-list", "ec-curve-name", "dh566", "dh1066", "dh-file", "no-tlsv1",
            "no-tlsv1_1", "no-tlsv1_2", "CA-file", "pkey-pwd", "raw-public-keys", "tls-alternate-server":
            self.tlsOptions.append(directive)
        case "stale-nonce": self.setInteger(directive, "turn.nonceLifetimeSeconds", 10...86400, bare: 600)
        case "max-allocate-lifetime": self.setInteger(directive, "turn.maxLifetimeSeconds", 60...86400, bare: 3600)
        case "channel-lifetime": self.setInteger(directive, "turn.channelLifetimeSeconds", 10...3600, bare: 600)
        case "permission-lifetime": self.setInteger(directive, "turn.permissionLifetimeSeconds", 10...3600, bare: 300)
        case "fingerprint":
            self.note(directive, "Switchboard adds FINGERPRINT to every response whose request carried one")
        default: self.readOther(directive)
        }
    }

    private mutating func readOther(_ directive: CoturnDirective) {
        let logging =
            "Switchboard logs to standard error (the systemd journal under systemd), as text or JSON (log.format)"
        let database = "Switchboard reads no database: list the accounts in turn.users and the secrets in turn.secrets"
        let process = "run Switchboard under systemd, which keeps the PID, the user and the group"
        switch directive.name {
        case "log-file":
            if ["stdout", "stderr", "-"].contains(directive.value) {
                self.note(directive, "Switchboard logs to standard error")
            } else {
                self.warn(directive, "\(logging); redirect it to keep a file")
            }
        case "syslog":
            if self.flag(directive) == true {
                self.warn(directive, "\(logging); journald forwards to syslog")
            }
        case "no-stdout-log", "simple-log", "new-log-timestamp", "new-log-timestamp-format", "syslog-facility",
            "log-binding":
            self.warn(directive, logging)
        case "verbose": self.set("log.level", .string("debug"), directive)
        case "Verbose": self.set("log.level", .string("trace"), directive)
        case "no-cli":
            self.noCLI = self.flag(directive) == true
            self.note(directive, "Switchboard has no telnet CLI")
        case "cli-password":
            self.cliPasswordSet = !directive.value.isEmpty
            self.cliOptions.append(directive)
        case "cli-ip", "cli-port", "cli-max-output-sessions": self.cliOptions.append(directive)
        case "web-admin":
            self.webAdmin = self.flag(directive) == true
            self.webAdminOptions.append(directive)
        case "web-admin-ip", "web-admin-port", "web-admin-listen-on-workers": self.webAdminOptions.append(directive)
        case "prometheus":
            self.note(directive, "Switchboard always serves /metrics (to loopback, admin.tokens, or on admin.port)")
        case "prometheus-port", "prometheus-address":
            self.warn(directive, "serve /metrics on its own address with admin.port and admin.host")
        case "stun-only": self.setFlag(directive, "turn.enabled", inverted: true)
        case "no-stun": self.warn(directive, "Switchboard always answers STUN Binding requests")
        case "relay-threads":
            if let threads = Int(directive.value), (0...256).contains(threads) {
                self.set("threads", .integer(max(threads, 1)), directive)
            } else {
                self.warn(directive, "expected a number of threads from 0 to 256")
            }
        case "no-udp-relay":
            self.warn(
                directive,
                "Switchboard always serves UDP relays; only TCP relays can be turned off (turn.tcpRelay)"
            )
        case "no-tcp-relay": self.setFlag(directive, "turn.tcpRelay", inverted: true)
        case "no-rfc5780", "response-origin-only-with-rfc5780":
            self.note(
                directive,
                "Switchboard answers RFC 5780 NAT behaviour discovery (RESPONSE-ORIGIN, OTHER-ADDRESS, CHANGE-REQUEST) "
                    + "only when stun.alternateAddress is set, which this import does not set"
            )
        case "no-stun-backward-compatibility":
            self.warn(
                directive,
                "Switchboard ignores RFC 3489 requests, but keeps MAPPED-ADDRESS next to XOR-MAPPED-ADDRESS in Binding responses"
            )
        case "no-software-attribute": self.setSoftware(directive, hidden: self.flag(directive))
        case "software-attribute": self.setSoftware(directive, hidden: self.flag(directive).map { !$0 })
        case "userdb", "db", "psql-userdb", "sql-userdb", "mysql-userdb", "mongo-userdb", "redis-userdb",
            "redis-statsdb", "secret-key-file":
            self.warn(directive, database)
        case "pidfile":
            // `switchboard reload` and ExecReload find the process through it, as coturn's users do with kill -HUP.
            self.set("process.pidFile", .string(directive.value), directive)
        case "proc-user", "proc-group", "daemon": self.warn(directive, process)
        case "listening-device", "relay-device":
            self.warn(directive, "bind by address instead: stun.addresses and turn.relay.addresses")
        default:
            if CoturnOptionNames.all.contains(directive.name) {
                self.warn(directive, "Switchboard has no equivalent")
            } else {
                self.warn(directive, "not a coturn option (coturn skips the line as a bad configuration format)")
            }
        }
    }

    private mutating func readMaxBPS(_ directive: CoturnDirective) {
        guard let bytes = Int(directive.value), (0...5_000_000_000).contains(bytes) else {
            self.warn(directive, "expected a number of bytes per second")
            return
        }
        // coturn caps each direction; Switchboard caps both together, so twice the value keeps the same budget.
        self.values["turn.bandwidthLimitBytesPerSecond"] = (
            .integer(bytes * 2),
            "coturn max-bps (line \(directive.line)), per direction; Switchboard counts both directions together"
        )
    }

    private mutating func readPeerRange(_ directive: CoturnDirective) {
        guard let range = IPIntervalSet(coturnRange: directive.value) else {
            self.warn(directive, "expected an IP address or a range FIRST-LAST of one family")
            return
        }
        if directive.name == "allowed-peer-ip" {
            self.allowedPeers.append((range, directive))
        } else {
            self.deniedPeers.append((range, directive))
        }
    }

    private mutating func setSoftware(_ directive: CoturnDirective, hidden: Bool?) {
        guard let hidden else {
            return
        }
        if hidden {
            self.set("stun.software", .string(""), directive)
        } else {
            self.note(directive, "Switchboard sends SOFTWARE (stun.software)")
        }
    }

    // MARK: - Helpers

    mutating func set(_ path: String, _ value: Value, _ directive: CoturnDirective) {
        self.values[path] = (value, "coturn \(directive.name) (line \(directive.line))")
    }

    mutating func setInteger(_ directive: CoturnDirective, _ path: String, _ range: ClosedRange<Int>, bare: Int? = nil)
    {
        let number = directive.value.isEmpty ? bare : Int(directive.value)
        guard let number, range.contains(number) else {
            self.warn(directive, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
            return
        }
        self.set(path, .integer(number), directive)
    }

    mutating func setFlag(_ directive: CoturnDirective, _ path: String, inverted: Bool) {
        if let flag = self.flag(directive) {
            self.set(path, .boolean(flag != inverted), directive)
        }
    }

    /// The option's boolean value, or `nil` with a warning when coturn would refuse it.
    mutating func flag(_ directive: CoturnDirective) -> Bool? {
        guard let flag = CoturnConfigFile.boolean(directive.value) else {
            self.warn(directive, "not a boolean coturn accepts (on/off, yes/no, true/false, 1/0)")
            return nil
        }
        return flag
    }

    mutating func warn(_ directive: CoturnDirective, _ message: String) {
        self.warn(line: directive.line, key: directive.name, message)
    }

    mutating func warn(line: Int?, key: String, _ message: String) {
        self.warnings.append(CoturnImportWarning(line: line, key: key, message: message))
    }

    mutating func note(_ directive: CoturnDirective, _ message: String) {
        self.notes.append((directive.line, "line \(directive.line): \(directive.name): \(message)"))
    }
}
