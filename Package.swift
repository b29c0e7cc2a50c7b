// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-perc",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "PERC", targets: ["PERC"]),
        .executable(name: "perc", targets: ["perc"]),
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
        .executableTarget(
            name: "perc",
            dependencies: [
                "PERC", "PERCConformance",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "PERCTests", dependencies: ["PERC", "PERCConformance"]),
    ]
)
