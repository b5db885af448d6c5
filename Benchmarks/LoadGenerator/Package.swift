// swift-tools-version:6.2
import PackageDescription

/// The load generators used by `scripts/bench-stun` (`stun-loadgen`) and `scripts/bench-turn` (`turn-loadgen`): a
/// separate package so that the benchmark harness never touches the server's dependency graph. No dependencies
/// beyond the toolchain.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "LoadGenerator",
    products: [
        .executable(name: "stun-loadgen", targets: ["stun-loadgen"]),
        .executable(name: "turn-loadgen", targets: ["turn-loadgen"]),
    ],
    targets: [
        // `sendmmsg`/`recvmmsg` and `struct mmsghdr`, which Glibc's Swift module does not export.
        .target(name: "CMMsg"),
        // What both generators share: batched UDP sockets, threads, clocks, latency histogram, STUN messages and
        // the MD5/SHA-1/HMAC-SHA1 of the long-term credential mechanism.
        .target(
            name: "LoadGeneratorSupport",
            dependencies: ["CMMsg"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "stun-loadgen",
            dependencies: ["CMMsg", "LoadGeneratorSupport"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "turn-loadgen",
            dependencies: ["CMMsg", "LoadGeneratorSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoadGeneratorSupportTests",
            dependencies: ["LoadGeneratorSupport"],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
