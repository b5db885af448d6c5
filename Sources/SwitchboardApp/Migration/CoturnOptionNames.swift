/// The option names coturn 4.6 reads from `turnserver.conf` (its long command-line options), to tell an option
/// Switchboard has no equivalent for from a line coturn itself would skip.
enum CoturnOptionNames {
    static let all: Set<String> = [
        "listening-device", "listening-port", "tls-listening-port", "alt-listening-port", "alt-tls-listening-port",
        "tcp-proxy-port", "listening-ip", "relay-device", "relay-ip", "external-ip", "relay-threads", "min-port",
        "max-port", "lt-cred-mech", "no-auth", "user", "userdb", "db", "psql-userdb", "sql-userdb", "mysql-userdb",
        "mongo-userdb", "redis-userdb", "redis-statsdb", "prometheus", "prometheus-port", "prometheus-address",
        "prometheus-username-labels", "use-auth-secret", "static-auth-secret", "no-auth-pings", "no-dynamic-ip-list",
        "no-dynamic-realms", "realm", "server-name", "oauth", "user-quota", "total-quota", "max-bps", "bps-capacity",
        "verbose", "Verbose", "daemon", "no-software-attribute", "software-attribute", "fingerprint",
        "check-origin-consistency", "no-udp", "no-tcp", "no-tls", "no-dtls", "no-udp-relay", "no-tcp-relay",
        "stale-nonce", "max-allocate-lifetime", "channel-lifetime", "permission-lifetime", "stun-only", "no-stun",
        "cert", "raw-public-keys", "pkey", "pkey-pwd", "log-file", "no-stdout-log", "syslog", "simple-log",
        "new-log-timestamp", "new-log-timestamp-format", "aux-server", "udp-self-balance", "alternate-server",
        "tls-alternate-server", "rest-api-separator", "max-allocate-timeout", "no-multicast-peers",
        "allow-loopback-peers", "allowed-peer-ip", "denied-peer-ip", "cipher-list", "pidfile", "secure-stun",
        "CA-file", "dh-file", "proc-user", "proc-group", "mobility", "no-cli", "cli-ip", "cli-port", "cli-password",
        "web-admin", "web-admin-ip", "web-admin-port", "web-admin-listen-on-workers", "server-relay",
        "cli-max-output-sessions", "ec-curve-name", "dh566", "dh1066", "ne", "no-tlsv1", "no-tlsv1_1", "no-tlsv1_2",
        "secret-key-file", "keep-address-family", "allocation-default-address-family", "acme-redirect", "log-binding",
        "no-rfc5780", "no-stun-backward-compatibility", "response-origin-only-with-rfc5780",
        "respond-http-unsupported", "version", "syslog-facility",
    ]
}
