// swift-tools-version:6.2
import PackageDescription

/// `scripts/bench-hotpaths`: allocation counts of the server's hot paths (the ChannelData relay queue, STUN decoding,
/// Engine.IO payload decoding) with package-benchmark, checked against the static thresholds in Thresholds/. A
/// separate package so the server's build never sees package-benchmark; it builds the server's modules from `../..`.
let package = Package(
    name: "HotPaths",
    dependencies: [
        .package(name: "switchboard", path: "../.."),
        .package(url: "https://github.com/ordo-one/package-benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HotPaths",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "STUNCodec", package: "switchboard"),
                .product(name: "SocketIOCodec", package: "switchboard"),
                .product(name: "TURNServer", package: "switchboard"),
            ],
            path: "Benchmarks/HotPaths",
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .treatAllWarnings(as: .error),
            ],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "package-benchmark")
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
