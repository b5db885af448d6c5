// swift-tools-version:6.2
import PackageDescription

/// Settings shared by every target of ours: Swift 6 language mode, explicit `any`, and
/// warnings as errors (CI builds exactly this).
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchboard", targets: ["switchboard"]),
        .library(name: "STUNCodec", targets: ["STUNCodec"]),
        .library(name: "SocketIOCodec", targets: ["SocketIOCodec"]),
        // For Benchmarks/HotPaths only: its relay benchmarks drive `DatagramSocket`.
        .library(name: "TURNServer", targets: ["TURNServer"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: - Pure wire formats
        .target(
            name: "STUNCodec",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "SocketIOCodec",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio")
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Servers
        .target(
            name: "ConnectionLimits",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio")
            ],
            swiftSettings: strictSettings
        ),
        .target(name: "CGlibcExtras"),
        .target(
            name: "TURNServer",
            dependencies: [
                "CGlibcExtras",
                "ConnectionLimits",
                "STUNCodec",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        .target(
            name: "SignalingServer",
            dependencies: [
                "ConnectionLimits",
                "SocketIOCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // The conformance test application and the Engine.IO echo handler: linked into the binary (on only with
        // `signaling.testApp`) and the tests, never part of a library product.
        .target(
            name: "SignalingTestApp",
            dependencies: ["SignalingServer", "SocketIOCodec"],
            swiftSettings: strictSettings
        ),

        .target(
            name: "Dialects",
            dependencies: [
                "SignalingServer",
                "SocketIOCodec",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),

        // Rooms shared by several nodes: the dialects' event log on PostgreSQL LISTEN/NOTIFY (docs/cluster.md).
        .target(
            name: "Cluster",
            dependencies: [
                "Dialects",
                "SignalingServer",
                "SocketIOCodec",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),

        // MARK: - Application wiring and the executable
        .target(
            name: "SwitchboardApp",
            dependencies: [
                "Cluster",
                "ConnectionLimits",
                "TURNServer",
                "Dialects",
                "STUNCodec",
                "SocketIOCodec",
                "SignalingServer",
                "SignalingTestApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "switchboard",
            dependencies: ["SwitchboardApp"],
            swiftSettings: strictSettings
        ),

        // MARK: - Tests

        // Helpers more than one test suite uses (hex, a seeded random generator, the RFC 5769/8489 STUN vectors); in
        // no product.
        .target(
            name: "TestSupport",
            dependencies: ["STUNCodec", .product(name: "NIOCore", package: "swift-nio")],
            path: "Tests/TestSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "STUNCodecTests",
            dependencies: ["STUNCodec", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConnectionLimitsTests",
            dependencies: ["ConnectionLimits", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SocketIOCodecTests",
            dependencies: ["SocketIOCodec", "TestSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TURNServerTests",
            dependencies: [
                "TURNServer",
                "STUNCodec",
                "TestSupport",
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SignalingServerTests",
            dependencies: [
                "SignalingServer",
                "SignalingTestApp",
                "SocketIOCodec",
                "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSCompression", package: "hummingbird-websocket"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DialectsTests",
            dependencies: ["Dialects", "SocketIOCodec", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClusterTests",
            dependencies: [
                "Cluster", "Dialects", "SignalingServer", "SocketIOCodec",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SwitchboardAppTests",
            dependencies: ["SwitchboardApp", "SocketIOCodec", "TURNServer"],
            swiftSettings: strictSettings
        ),
    ]
)

// MARK: - Fuzz harnesses

/// libFuzzer harnesses, one executable per decoder, declared only when `scripts/fuzz` builds them (it sets
/// SWITCHBOARD_FUZZ=1 and builds in .build-fuzz with `-sanitize=fuzzer,address`): a plain `swift build` or
/// `swift build --build-tests` never sees them.
if Context.environment["SWITCHBOARD_FUZZ"] == "1" {
    package.targets += [
        .target(name: "CLibFuzzer", path: "Fuzz/Sources/CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Sources/FuzzSupport"),
    ]
    let harnesses: [(name: String, dependencies: [Target.Dependency])] = [
        ("stun", ["STUNCodec"]),
        ("channeldata", ["STUNCodec"]),
        ("stun-tcp-framing", ["STUNCodec", "TURNServer", .product(name: "NIOEmbedded", package: "swift-nio")]),
        ("engineio", ["SocketIOCodec"]),
        ("socketio", ["SocketIOCodec"]),
        ("json", ["SocketIOCodec"]),
        ("config", ["SwitchboardApp"]),
        (
            "websocket-frames",
            [
                "SignalingServer", .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
    ]
    for harness in harnesses {
        package.targets.append(
            .executableTarget(
                name: "fuzz-\(harness.name)",
                dependencies: harness.dependencies + ["FuzzSupport", .product(name: "NIOCore", package: "swift-nio")],
                path: "Fuzz/Sources/\(harness.name)",
                swiftSettings: strictSettings
            )
        )
    }
}
