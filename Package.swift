// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "jitd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "jitd", targets: ["jitd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        .target(name: "JitdCore"),
        .target(name: "JitdIngest", dependencies: [
            "JitdCore",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "JitdStore", dependencies: [
            "JitdCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "JitdDispatch", dependencies: [
            "JitdCore", "JitdStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        .target(name: "JitdServer", dependencies: [
            "JitdCore", "JitdStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "_CryptoExtras", package: "swift-crypto"), // KDF.Scrypt for console passwords
            .product(name: "Mustache", package: "swift-mustache"), // the console's templates
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOFoundationCompat", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd",
                       providers: [.apt(["libsystemd-dev"])]),
        .target(name: "JitdSystemd", dependencies: [
            "CSystemd",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "JitdDaemon", dependencies: [
            "JitdCore", "JitdIngest", "JitdStore", "JitdDispatch", "JitdServer", "JitdSystemd",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        .executableTarget(name: "jitd", dependencies: [
            "JitdCore", "JitdIngest", "JitdStore", "JitdDispatch", "JitdDaemon", "JitdServer",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // `jitd serve` with faults injected around its services, for the end-to-end tests only.
        .executableTarget(name: "jitd-faults", dependencies: [
            "JitdDaemon",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The auditor of a simulated period: plain values in, violations out; it imports nothing of jitd.
        .target(name: "JitdAudit"),
        // Weeks of a hospital driven through the daemon's use cases and store under a virtual clock.
        .target(name: "JitdSimulation", dependencies: [
            "JitdAudit", "JitdCore", "JitdIngest", "JitdStore", "JitdDispatch", "JitdServer", "JitdDaemon",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "jitd-sim", dependencies: [
            "JitdSimulation", "JitdAudit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "jitd-bench-planner", dependencies: ["JitdCore"], path: "Benchmarks/PlannerBench"),
        .executableTarget(name: "jitd-bench-dispatch", dependencies: [
            "JitdCore", "JitdStore", "JitdDispatch",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Benchmarks/DispatchBench"),
        .testTarget(name: "JitdCoreTests", dependencies: ["JitdCore"]),
        .testTarget(name: "JitdIngestTests", dependencies: ["JitdIngest"]),
        .testTarget(name: "JitdStoreTests", dependencies: ["JitdStore"]),
        .testTarget(name: "JitdDispatchTests", dependencies: [
            "JitdDispatch", "JitdStore", "JitdCore",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "JitdServerTests", dependencies: [
            "JitdServer",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "JitdSystemdTests", dependencies: ["JitdSystemd"]),
        .testTarget(name: "JitdDaemonTests", dependencies: [
            "JitdDaemon", "JitdCore", "JitdIngest", "JitdStore",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "EndToEndTests", dependencies: ["JitdCore"]),
        .testTarget(name: "SimulationTests", dependencies: ["JitdAudit", "JitdSimulation"]),
    ],
    swiftLanguageModes: [.v6]
)
