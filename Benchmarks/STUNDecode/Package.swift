// swift-tools-version:6.2
import PackageDescription

/// `scripts/bench-stun-decode`: the per-message cost of decoding the largest STUN message a client can send and
/// listing its unknown attributes, with today's codec and with the quadratic list it replaced, in one run. A separate
/// package so the server's build never sees it.
let package = Package(
    name: "STUNDecode",
    dependencies: [
        .package(name: "switchboard", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "stun-decode-bench",
            dependencies: [
                .product(name: "STUNCodec", package: "switchboard")
            ],
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
                .treatAllWarnings(as: .error),
            ]
        )
    ],
    swiftLanguageModes: [.v6]
)
