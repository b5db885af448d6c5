import Glibc
import LoadGeneratorSupport

/// The command line of `stun-loadgen`.
struct Options: Sendable {
    /// Where to send Binding requests; always a loopback address.
    var server: ServerAddress
    /// Number of UDP sockets, each driven by its own thread.
    var sockets = 4
    /// Length of the load period, in seconds.
    var duration = 5.0
    /// Most requests in flight per socket.
    var window = 256
    /// Most datagrams per `sendmmsg`/`recvmmsg` call.
    var batch = 32
    /// Whether requests carry a FINGERPRINT attribute.
    var fingerprint = false
    /// A request unanswered for this long is given up: it no longer counts against the window and stays lost.
    var timeoutMilliseconds = 500
    /// After the load period, how long to wait for the responses still in flight.
    var drainMilliseconds = 200

    static let usage = """
        usage: stun-loadgen --server HOST:PORT [options]

        Sends RFC 8489 Binding requests over UDP at full speed to a loopback STUN server and prints one JSON line
        of results.

          --server HOST:PORT   target, a loopback address: 127.0.0.1:3478, [::1]:3478, localhost:3478
          --sockets N          UDP sockets, one thread each (default 4)
          --duration SECONDS   load period (default 5)
          --window N           most requests in flight per socket (default 256)
          --batch N            datagrams per sendmmsg/recvmmsg call (default 32)
          --fingerprint        add a FINGERPRINT attribute to every request
          --timeout-ms N       give up on a request unanswered this long (default 500)
          --drain-ms N         after the load period, wait this long for responses in flight (default 200)
        """

    /// Parses `arguments` (without the program name), or prints the problem and exits.
    static func parse(_ arguments: [String]) -> Options {
        var server: ServerAddress?
        var sockets = 4
        var duration = 5.0
        var window = 256
        var batch = 32
        var fingerprint = false
        var timeoutMilliseconds = 500
        var drainMilliseconds = 200

        var reader = ArgumentReader(arguments, fail: Self.fail)
        while let argument = reader.nextFlag() {
            switch argument {
            case "--server":
                server = reader.address()
            case "--sockets":
                sockets = reader.integer(in: 1...256)
            case "--duration":
                duration = reader.seconds(atMost: 3600)
            case "--window":
                window = reader.integer(in: 1...65_536)
            case "--batch":
                batch = reader.integer(in: 1...1024)
            case "--fingerprint":
                fingerprint = true
            case "--timeout-ms":
                timeoutMilliseconds = reader.integer(in: 1...60_000)
            case "--drain-ms":
                drainMilliseconds = reader.integer(in: 0...60_000)
            case "-h", "--help":
                print(Self.usage)
                exit(0)
            default:
                Self.fail("unknown argument \(argument)")
            }
        }
        guard let server else {
            Self.fail("--server is required")
        }
        return Options(
            server: server,
            sockets: sockets,
            duration: duration,
            window: window,
            batch: batch,
            fingerprint: fingerprint,
            timeoutMilliseconds: timeoutMilliseconds,
            drainMilliseconds: drainMilliseconds
        )
    }

    /// Prints `message` and the usage to standard error and exits with status 2.
    static func fail(_ message: String) -> Never {
        printError("stun-loadgen: \(message)\n\n\(Self.usage)")
        exit(2)
    }
}
