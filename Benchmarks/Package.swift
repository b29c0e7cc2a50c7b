// swift-tools-version: 6.1
// package-benchmark runs of the swift-perc benchmark cases (the same cases as `perc bench`, from
// the root package's PERCBenchmarkSupport product). Run: swift package benchmark --no-progress
import PackageDescription

let package = Package(
    name: "PERCBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-perc", path: ".."),
        .package(
            url: "https://github.com/ordo-one/benchmark", from: "1.38.1",
            traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PERCBenchmarks",
            dependencies: [
                .product(name: "PERCBenchmarkSupport", package: "swift-perc"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/PERCBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
