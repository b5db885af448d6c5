// swift-tools-version:6.2
import PackageDescription

/// The load generators used by `scripts/bench-stun` (`stun-loadgen`) and `scripts/bench-turn` (`turn-loadgen`): a
/// separate package so that the benchmark harness never touches the server's dependency graph. Its one dependency,
/// swift-crypto (MD5 and HMAC-SHA1 of the long-term credential mechanism), is the server's too.
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
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0")
    ],
    targets: [
        // `sendmmsg`/`recvmmsg` and `struct mmsghdr`, which Glibc's Swift module does not export.
        .target(name: "CMMsg"),
        // What both generators share: batched UDP sockets, threads, clocks, latency histogram, STUN messages with
        // MESSAGE-INTEGRITY (HMAC-SHA1 from swift-crypto).
        .target(
            name: "LoadGeneratorSupport",
            dependencies: ["CMMsg", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "stun-loadgen",
            dependencies: ["CMMsg", "LoadGeneratorSupport"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "turn-loadgen",
            dependencies: ["CMMsg", "LoadGeneratorSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LoadGeneratorSupportTests",
            dependencies: ["LoadGeneratorSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
