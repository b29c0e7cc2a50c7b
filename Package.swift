// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-perc",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PERC", targets: ["PERC"]),
        .executable(name: "perc", targets: ["perc"]),
        // Benchmark support only (case catalog, timing loop, tables) for the nested Benchmarks/
        // package; not part of the library's API.
        .library(name: "PERCBenchmarkSupport", targets: ["PERCBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `perc demo` only (PERCDemo): the KMF's HTTPS server, the UDP Media Distributor, logging.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(
            name: "CLibSRTP",
            pkgConfig: "libsrtp2",
            providers: [.apt(["libsrtp2-dev"])]
        ),
        .target(
            name: "CPERCShims",
            dependencies: ["COpenSSL", "CLibSRTP"],
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]
        ),
        .target(
            name: "PERC",
            dependencies: ["CPERCShims"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        .target(name: "PERCConformance", dependencies: ["PERC"]),
        // Benchmarks only: raw OpenSSL EVP and libsrtp2 baselines in C, the Swift harness shared by
        // `perc bench` and Benchmarks/, and the allocation counter linked into `perc` alone.
        .target(
            name: "CPERCBenchBaselines",
            dependencies: ["COpenSSL", "CLibSRTP", "CPERCShims"],
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]
        ),
        .target(name: "CPERCBenchMallocCounter", cSettings: [.unsafeFlags(["-O2", "-Wall"])]),
        .target(name: "PERCBench", dependencies: ["PERC", "CPERCBenchBaselines"]),
        // `perc demo`: KMF (HTTPS, OAuth 2.0 + DPoP, SQLite), UDP Media Distributor, endpoints.
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "CPERCDemoCrypto",
            dependencies: ["COpenSSL"],
            cSettings: [.unsafeFlags(["-O2", "-Wall", "-Wextra"])]
        ),
        .target(
            name: "PERCDemo",
            dependencies: [
                "PERC", "CPERCDemoCrypto", "CSQLite",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "perc",
            dependencies: [
                "PERC", "PERCConformance", "PERCBench", "CPERCBenchMallocCounter", "PERCDemo",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PERCTests", dependencies: ["PERC", "PERCConformance"]),
        .testTarget(name: "PERCBenchTests", dependencies: ["PERC", "PERCBench"]),
        .testTarget(
            name: "PERCDemoTests",
            dependencies: [
                "PERC", "PERCDemo",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
