import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import SocketIOCodec
import TURNServer

/// `switchboard credentials [--user NAME] [--ttl SECONDS]`: mints TURN REST credentials from the configured
/// secret; `switchboard credentials --check USER PASS`: says whether the server would accept them, and why not.
/// Both use the server's own code: ``ICEServersProvider`` mints, ``CredentialStore`` checks.
struct CredentialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credentials",
        abstract: "Mint TURN REST credentials from turn.secrets, or check a username and password.",
        discussion: """
            Reads the same configuration as serve (--config or SWITCHBOARD_CONFIG, SWITCHBOARD_* variables, --set). \
            Minting prints the username and password, a ready iceServers JSON and turnutils_uclient flags. \
            --check USER PASS prints why the server would accept or refuse them and exits 1 when it would refuse.
            """
    )

    @Option(name: .customLong("config"), help: "YAML configuration file (default: the embedded defaults).")
    var configFile: String?

    @Option(
        name: .customLong("set"),
        help: ArgumentHelp(
            "Override one key, for example --set turn.secrets=s3cret (repeatable).",
            valueName: "key=value"
        )
    )
    var settings: [String] = []

    @Option(help: "User part of the REST username <expiry>:<user> (counted by turn.quota.perUser).")
    var user = "switchboard"

    @Option(help: "Lifetime in seconds (default: ice.credentialTTLSeconds).")
    var ttl: Int?

    @Option(help: "Host for the URLs and uclient (default: ice.publicAddress, the external address, a listening one).")
    var host: String?

    @Flag(help: "Check the credentials given as USER PASS instead of minting new ones.")
    var check = false

    @Argument(help: "With --check: the username and the password.")
    var credentials: [String] = []

    func validate() throws {
        if self.check && self.credentials.count != 2 {
            throw ValidationError("--check needs the username and the password: --check USER PASS")
        }
        if !self.check && !self.credentials.isEmpty {
            throw ValidationError("unexpected arguments; to check credentials use --check USER PASS")
        }
        if let ttl = self.ttl, !(1...2_592_000).contains(ttl) {
            throw ValidationError("--ttl must be 1...2592000 seconds")
        }
        if self.user.contains(":") {
            throw ValidationError("--user must not contain ':' (it separates the expiry from the user)")
        }
    }

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        let configuration: SwitchboardConfiguration
        do {
            configuration = try ConfigurationLoader.load(
                filePath: self.configFile ?? environment[ConfigurationLoader.fileEnvironmentName],
                environment: environment,
                flags: try ServeCommand.settings(self.settings)
            )
        } catch {
            FileHandle.standardError.write(Data("switchboard: invalid configuration\n\(error)\n".utf8))
            throw ExitCode(2)
        }
        let now = Int64(Date().timeIntervalSince1970)
        if self.check {
            let (accepted, lines) = Self.verdict(
                username: self.credentials[0],
                password: self.credentials[1],
                configuration: configuration,
                now: now
            )
            print(lines.joined(separator: "\n"))
            if !accepted {
                throw ExitCode.failure
            }
            return
        }
        guard let secret = configuration.turn.secrets.first else {
            FileHandle.standardError.write(
                Data(
                    ("switchboard credentials: turn.secrets is empty, so a server signs with a secret generated at "
                        + "start that nothing else knows; set turn.secrets\n").utf8
                )
            )
            throw ExitCode(2)
        }
        let interfaces = ((try? System.enumerateDevices()) ?? []).compactMap { $0.address?.ipAddress }
        let host =
            self.host
            ?? HostAllowList(configuration: configuration, interfaceAddresses: interfaces)
            .host(forAuthority: nil)
        let provider = ICEServersProvider(
            hosts: HostAllowList(publicAddress: host, trusted: [], fallback: host),
            port: configuration.stun.port,
            udp: configuration.stun.udp,
            tcp: configuration.stun.tcp,
            turnEnabled: configuration.turn.enabled,
            secret: secret,
            ttlSeconds: self.ttl ?? configuration.ice.credentialTTLSeconds,
            now: { now }
        )
        let minted = provider.credentials(user: self.user)
        let iceServers = provider.iceServers(host: host, credentials: minted)
        var uclient = ["-u", minted.username, "-w", minted.credential, "-p", String(configuration.stun.port)]
        if !configuration.stun.udp {
            uclient.append("-t")
        }
        uclient.append(host)
        print(
            """
            username: \(minted.username)
            password: \(minted.credential)
            expires: \(Self.timestamp(now + Int64(provider.ttlSeconds))) (in \(provider.ttlSeconds) s)
            iceServers: \(iceServers.serialized())
            turnutils_uclient: \(uclient.map(Self.shellQuoted).joined(separator: " "))
            """
        )
    }

    /// Whether the server would accept `username` / `password` now, and the lines that say why.
    static func verdict(
        username: String,
        password: String,
        configuration: SwitchboardConfiguration,
        now: Int64
    ) -> (accepted: Bool, lines: [String]) {
        guard configuration.turn.enabled else {
            return (false, ["refused: turn.enabled is false, the server answers Binding requests only"])
        }
        let store = CredentialStore(
            realm: configuration.turn.realm,
            staticUsers: configuration.turn.users,
            restSecrets: configuration.turn.secrets
        )
        let result = store.check(username: username, password: password, now: now)
        let line: String
        switch result {
        case .staticUser:
            line = "accepted: static user of turn.users (realm \(configuration.turn.realm))"
        case .rest(let expiry, let index):
            line =
                "accepted: TURN REST credentials signed by turn.secrets[\(index)], expire at \(Self.timestamp(expiry)) "
                + "(in \(expiry - now) s)"
        case .expired(let expiry, let index):
            line =
                "refused: expired at \(Self.timestamp(expiry)) (\(now - expiry) s ago); the signature "
                + "(turn.secrets[\(index)]) is right, so an Allocate gets 401"
        case .wrongPassword:
            line = "refused: wrong password for this static user of turn.users"
        case .badSignature(let secrets):
            line =
                "refused: bad HMAC: the password is not base64(HMAC-SHA1(secret, username)) for any of the "
                + "\(secrets) turn.secrets"
        case .noSecrets:
            line =
                "refused: a TURN REST username, but turn.secrets is empty (a server started so signs with a "
                + "secret generated at start)"
        case .unknownUser:
            line = "refused: unknown user: not in turn.users and not a TURN REST username (<unix-expiry>:<user>)"
        }
        return (result.isAccepted, [line])
    }

    static func timestamp(_ unix: Int64) -> String {
        Date(timeIntervalSince1970: TimeInterval(unix)).formatted(.iso8601)
    }

    /// Single quotes for the shell unless the word is plain (base64 may hold '+' and '/', both plain).
    static func shellQuoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || "0123456789+/=:._-[]".unicodeScalars.contains($0))
        }
        return plain && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
