import ArgumentParser
import Foundation
import NIOCore
import STUNCodec

/// `switchboard nat-probe [HOST[:PORT]]`: the client side of RFC 5780 NAT behaviour discovery against a server with
/// two addresses (Switchboard with `stun.alternateAddress`, or coturn with two listening IPs).
struct NATProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nat-probe",
        abstract: "Discover the NAT between here and an RFC 5780 STUN server: mapping, filtering, hairpinning."
    )

    @Argument(help: "The STUN server: HOST, HOST:PORT or [IPv6]:PORT (port 3478 when omitted).")
    var server: String = "127.0.0.1"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Skip the hairpinning test.")
    var noHairpinning = false

    @Option(help: "Milliseconds one try waits for a response (each test makes three tries).")
    var timeout: Int32 = 700

    @Option(
        name: .customLong("lifetime"),
        help:
            "Also measure how long an idle mapping lives, waiting 1, 2, 4, ... seconds up to this many (RFC 5780 §4.6)."
    )
    var lifetimeLimit: Int = 0

    func run() throws {
        let verdict: NATVerdict
        let observed: NATObservations
        do {
            let address = try Self.resolve(self.server)
            observed = try NATProber(
                server: address,
                timeoutMilliseconds: self.timeout,
                testHairpinning: !self.noHairpinning,
                lifetimeLimitSeconds: self.lifetimeLimit
            )
            .run()
            verdict = NATVerdict(observed)
        } catch {
            FileHandle.standardError.write(Data("nat-probe: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(self.json ? Self.json(verdict, observed) : Self.text(verdict, observed))
    }

    static func text(_ verdict: NATVerdict, _ observed: NATObservations) -> String {
        let hairpinning = verdict.hairpinning.map { $0 ? "yes" : "no" } ?? "not tested"
        var lifetime = "not tested"
        if let measured = verdict.lifetime {
            lifetime = "at least \(measured.atLeastSeconds) s" + (measured.belowSeconds.map { ", below \($0) s" } ?? "")
        }
        return """
            local address    \(observed.local)
            mapped address   \(observed.mappedByPrimary)
            other address    \(observed.otherAddress)
            behind a NAT     \(verdict.noNAT ? "no" : "yes")
            mapping          \(verdict.mapping.rawValue)
            filtering        \(verdict.filtering.rawValue)
            hairpinning      \(hairpinning)
            binding lifetime \(lifetime)
            classic name     \(verdict.classicName)
            """
    }

    static func json(_ verdict: NATVerdict, _ observed: NATObservations) -> String {
        var object: [String: Any] = [
            "local": "\(observed.local)", "mapped": "\(observed.mappedByPrimary)",
            "otherAddress": "\(observed.otherAddress)", "nat": !verdict.noNAT,
            "mapping": verdict.mapping.rawValue, "filtering": verdict.filtering.rawValue,
            "classicName": verdict.classicName,
        ]
        object["hairpinning"] = verdict.hairpinning.map { $0 as Any } ?? NSNull()
        object["bindingLifetime"] =
            verdict.lifetime.map { measured -> Any in
                [
                    "atLeastSeconds": measured.atLeastSeconds,
                    "belowSeconds": measured.belowSeconds.map { $0 as Any } ?? NSNull(),
                ]
            } ?? NSNull()
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// HOST, HOST:PORT or [V6]:PORT to one address (the first the resolver gives).
    static func resolve(_ text: String) throws(NATProbeError) -> TransportAddress {
        var host = text
        var port = 3478
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            if rest.hasPrefix(":") {
                guard let parsed = Int(rest.dropFirst()), (1...65535).contains(parsed) else {
                    throw .badServer(text)
                }
                port = parsed
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = String(text[..<colon])
            guard let parsed = Int(text[text.index(after: colon)...]), (1...65535).contains(parsed) else {
                throw .badServer(text)
            }
            port = parsed
        }
        guard
            let address = (try? SocketAddress.makeAddressResolvingHost(host, port: port)).flatMap(TransportAddress.init)
        else {
            throw .badServer(text)
        }
        return address
    }
}
