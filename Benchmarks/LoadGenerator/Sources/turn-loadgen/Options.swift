import Glibc
import LoadGeneratorSupport

/// What `turn-loadgen` was asked to do.
enum Command: Sendable {
    /// Allocations on `server`, each with a channel to `peer`, flooded with ChannelData.
    case flood(server: ServerAddress, peer: ServerAddress, settings: FloodSettings)
    /// A batched UDP echo on this address, with this many SO_REUSEPORT sockets (one thread each).
    case echoPeer(ServerAddress, threads: Int)
}

/// The knobs of a flood.
struct FloodSettings: Sendable {
    /// Long-term credentials (RFC 8489 §9.2).
    var username = ""
    var password = ""
    /// Number of allocations, each on its own UDP socket (its own 5-tuple).
    var allocations = 64
    /// Threads; the allocations are dealt out among them.
    var threads = 4
    /// Length of the load period, in seconds.
    var duration = 5.0
    /// Most ChannelData messages in flight per allocation.
    var window = 16
    /// Most datagrams per `sendmmsg`/`recvmmsg` call.
    var batch = 32
    /// Application bytes per ChannelData message.
    var payload = 120
    /// A message not echoed for this long is given up: it leaves the window and stays lost.
    var timeoutMilliseconds = 500
    /// After the load period, how long to wait for the echoes still in flight.
    var drainMilliseconds = 200
}

/// The command line of `turn-loadgen`.
enum Options {
    /// Permissions made by ChannelBind last 300 s or more and are never refreshed here.
    static let longestDuration = 240.0

    static let usage = """
        usage: turn-loadgen --server HOST:PORT --peer HOST:PORT --user NAME --password PASS [options]
               turn-loadgen --echo-peer HOST:PORT [--threads N]

        Flood mode: makes N TURN allocations over UDP (Allocate, 401, Allocate with long-term credentials), binds
        channel 0x4000 of each to the peer, then sends ChannelData as fast as the windows allow; the peer echoes each
        datagram and the server relays it back. Prints one JSON line. Echo mode: a batched UDP echo peer that runs
        until killed. Every address must be loopback.

          --server HOST:PORT   the TURN server (UDP)
          --peer HOST:PORT     the echo peer (IPv4), as XOR-PEER-ADDRESS of the ChannelBind
          --user NAME          long-term credential username
          --password PASS      long-term credential password
          --allocations N      allocations, one UDP socket each (default 64)
          --threads N          threads (default 4; in echo mode, SO_REUSEPORT sockets, default 2)
          --duration SECONDS   load period, at most 240 (default 5)
          --window N           most messages in flight per allocation (default 16)
          --batch N            datagrams per sendmmsg/recvmmsg call (default 32)
          --payload BYTES      ChannelData payload, 16 to 1400 bytes (default 120)
          --timeout-ms N       give up on a message not echoed this long (default 500)
          --drain-ms N         after the load period, wait this long for echoes in flight (default 200)
          --echo-peer HOST:PORT  run the echo peer on this address instead
        """

    /// Parses `arguments` (without the program name), or prints the problem and exits.
    static func parse(_ arguments: [String]) -> Command {
        var server: ServerAddress?
        var peer: ServerAddress?
        var echoPeer: ServerAddress?
        var threads: Int?
        var settings = FloodSettings()

        var reader = ArgumentReader(arguments, fail: Self.fail)
        while let argument = reader.nextFlag() {
            switch argument {
            case "--server": server = reader.address()
            case "--peer": peer = reader.address()
            case "--echo-peer": echoPeer = reader.address()
            case "--user": settings.username = reader.value()
            case "--password": settings.password = reader.value()
            case "--allocations": settings.allocations = reader.integer(in: 1...4096)
            case "--threads": threads = reader.integer(in: 1...256)
            case "--duration": settings.duration = reader.seconds(atMost: Self.longestDuration)
            case "--window": settings.window = reader.integer(in: 1...4096)
            case "--batch": settings.batch = reader.integer(in: 1...1024)
            case "--payload": settings.payload = reader.integer(in: 16...1400)
            case "--timeout-ms": settings.timeoutMilliseconds = reader.integer(in: 1...60_000)
            case "--drain-ms": settings.drainMilliseconds = reader.integer(in: 0...60_000)
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default:
                Self.fail("unknown argument \(argument)")
            }
        }

        if let echoPeer {
            guard server == nil, peer == nil else {
                Self.fail("--echo-peer runs the peer only; it takes no --server or --peer")
            }
            return .echoPeer(echoPeer, threads: threads ?? 2)
        }
        guard let server, let peer else {
            Self.fail("--server and --peer are required (or --echo-peer)")
        }
        guard peer.ipv4 != nil else {
            Self.fail("--peer must be an IPv4 address")
        }
        guard !settings.username.isEmpty, !settings.password.isEmpty else {
            Self.fail("--user and --password are required")
        }
        settings.threads = min(threads ?? 4, settings.allocations)
        return .flood(server: server, peer: peer, settings: settings)
    }

    /// Prints `message` and the usage to standard error and exits with status 2.
    static func fail(_ message: String) -> Never {
        printError("turn-loadgen: \(message)\n\n\(Self.usage)")
        exit(2)
    }
}
