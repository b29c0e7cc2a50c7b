// swift-tools-version: 6.1
// libFuzzer targets for swift-perc. Build and run them with `./run.sh SECONDS` (see README.md);
// a plain `swift build` here links no fuzzer and is not useful.
import Foundation
import PackageDescription

/// Every directory `Sources/Fuzz<Name>/` other than `FuzzSupport` is one fuzz target: one
/// executable whose single file defines `LLVMFuzzerTestOneInput`. Adding a target is adding its
/// directory (and its line in `run.sh`); nothing here changes. (`run.sh` builds with
/// `--manifest-cache none`: a cached evaluation of this file would miss a new directory.)
let sources = URL(fileURLWithPath: Context.packageDirectory).appendingPathComponent("Sources")
let fuzzTargets = ((try? FileManager.default.contentsOfDirectory(atPath: sources.path)) ?? [])
    .filter { $0.hasPrefix("Fuzz") && $0 != "FuzzSupport" }
    .sorted()

let perc = Target.Dependency.product(name: "PERC", package: "swift-perc")

let package = Package(
    name: "swift-perc-fuzz",
    dependencies: [.package(name: "swift-perc", path: "../..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [perc])
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: ["FuzzSupport", perc],
                // libFuzzer supplies main(); the target only defines LLVMFuzzerTestOneInput.
                swiftSettings: [.unsafeFlags(["-parse-as-library"])])
        }
)
