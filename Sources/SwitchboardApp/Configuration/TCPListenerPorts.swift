/// The TCP ports a configuration asks for, checked once so that two listeners never get the same port: a clash is a
/// configuration error naming the key (with its file line) rather than "Address already in use" halfway through the
/// start. Ports are compared without their hosts, so a clash is reported even where the hosts would have kept the
/// sockets apart: one port per listener is simpler to run and to firewall.
struct TCPListenerPorts {
    /// One listener the configuration turns on.
    struct Listener: Equatable {
        /// The key that sets its port, as operators write it (`http.port`).
        var key: String
        var port: Int
        /// Whether 0 turns this listener off (rather than asking the kernel for a free port).
        var zeroIsOff: Bool
    }

    /// The listeners in the order a clash is reported in: the later of two listeners on one port is named.
    private(set) var listeners: [Listener] = []

    /// Adds a listener when it is on; port 0 is never a clash (off, or a free port picked by the kernel).
    mutating func add(_ key: String, port: Int, on: Bool = true, zeroIsOff: Bool) {
        guard on, port > 0 else {
            return
        }
        self.listeners.append(Listener(key: key, port: port, zeroIsOff: zeroIsOff))
    }

    init() {}

    /// The TCP listeners a configuration turns on, by the key of their port.
    init(
        _ http: HTTPConfiguration,
        _ tls: TLSListenerConfiguration,
        _ access: AccessConfiguration,
        _ stun: STUNConfiguration,
        _ shared: SharedPortConfiguration,
        _ dialects: DialectsConfiguration
    ) {
        self.add("http.port", port: http.port, zeroIsOff: false)
        self.add("tls.port", port: tls.port, zeroIsOff: true)
        self.add("admin.port", port: access.adminPort, zeroIsOff: true)
        self.add("stun.port", port: stun.port, on: stun.tcp, zeroIsOff: false)
        self.add("stun.tlsPort", port: stun.tlsPort, on: tls.hasCertificate, zeroIsOff: true)
        self.add("shared.port", port: shared.port, zeroIsOff: true)
        self.add("dialects.rawWebSocketPort", port: dialects.rawWebSocketPort, zeroIsOff: true)
    }

    /// The first listener whose port an earlier one already has, with that earlier one; `nil` when all differ.
    func firstClash() -> (listener: Listener, other: Listener)? {
        var owners: [Int: Listener] = [:]
        for listener in self.listeners {
            if let other = owners[listener.port] {
                return (listener, other)
            }
            owners[listener.port] = listener
        }
        return nil
    }

    /// Throws the first clash as an error naming the later listener's key, at the line of the key that was set.
    func check(_ values: ConfigurationValues) throws(ConfigurationError) {
        if let (listener, other) = self.firstClash() {
            throw ConfigurationError(
                key: listener.key,
                origin: values.setOrigin(of: [listener.key, other.key]),
                message: "\(listener.port) is also \(other.key); pick another port"
                    + (listener.zeroIsOff ? " or 0 (off)" : "")
            )
        }
    }
}
