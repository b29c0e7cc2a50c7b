import Benchmark
import PERCBench

/// Every `perc bench` case as a package-benchmark benchmark. One iteration is one batch of 1000
/// packets (`scalingFactor: .kilo`, so wall clock, throughput and mallocs read per packet),
/// prepared outside the measurement exactly as `perc bench` does: unprotect cases get freshly
/// protected packets with increasing SEQ before every batch.
let benchmarks: @Sendable () -> Void = {
    let batchSize = BenchmarkScalingFactor.kilo.rawValue
    for benchCase in BenchCatalog.all() {
        Benchmark(
            benchCase.name,
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal],
                warmupIterations: 3,
                scalingFactor: .kilo,
                maxDuration: .milliseconds(250),
                maxIterations: 200
            )
        ) { benchmark, workload in
            do {
                try workload.prepareBatch()
                benchmark.startMeasurement()
                try workload.runBatch()
                benchmark.stopMeasurement()
            } catch {
                benchmark.error("\(benchCase.name): \(error)")
            }
        } setup: {
            try benchCase.makeWorkload(batchSize: batchSize)
        }
    }
}
