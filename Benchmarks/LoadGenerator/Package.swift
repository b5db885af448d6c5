// swift-tools-version:6.2
import PackageDescription

/// The STUN load generator used by `scripts/bench-stun`: a separate package so that the benchmark harness never
/// touches the server's dependency graph. No dependencies beyond the toolchain.
let package = Package(
    name: "LoadGenerator",
    products: [
        .executable(name: "stun-loadgen", targets: ["stun-loadgen"])
    ],
    targets: [
        // `sendmmsg`/`recvmmsg` and `struct mmsghdr`, which Glibc's Swift module does not export.
        .target(name: "CMMsg"),
        .executableTarget(
            name: "stun-loadgen",
            dependencies: ["CMMsg"],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .treatAllWarnings(as: .error),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
