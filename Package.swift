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
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
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
        .executableTarget(
            name: "perc",
            dependencies: [
                "PERC", "PERCConformance", "PERCBench", "CPERCBenchMallocCounter",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PERCTests", dependencies: ["PERC", "PERCConformance"]),
        .testTarget(name: "PERCBenchTests", dependencies: ["PERC", "PERCBench"]),
    ]
)
