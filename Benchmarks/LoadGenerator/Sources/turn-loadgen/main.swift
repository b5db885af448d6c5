switch Options.parse(Array(CommandLine.arguments.dropFirst())) {
case .flood(let server, let peer, let settings):
    Flood.run(server: server, peer: peer, settings: settings)
case .echoPeer(let address, let threads):
    EchoPeer.run(address: address, threads: threads)
}
