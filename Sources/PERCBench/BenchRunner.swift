internal import CPERCBenchBaselines

/// How long to measure.
public struct BenchSettings: Sendable {
    /// Operations per batch (packets on the ring).
    public var batchSize: Int
    /// Timed batches; the reported time is their median.
    public var batches: Int
    /// Untimed batches first (key schedules, caches, stream creation, lazy allocations).
    public var warmupBatches: Int

    public init(batchSize: Int, batches: Int, warmupBatches: Int) {
        self.batchSize = batchSize
        self.batches = batches
        self.warmupBatches = warmupBatches
    }

    /// `perc bench`: 51 batches of 1000 packets.
    public static let standard = BenchSettings(batchSize: 1000, batches: 51, warmupBatches: 3)
    /// `perc bench --quick`: a smoke run, seconds in all; numbers only indicative.
    public static let quick = BenchSettings(batchSize: 100, batches: 5, warmupBatches: 1)
}

/// What one case measured.
public struct BenchMeasurement: Sendable {
    public let benchCase: BenchCase
    /// Median over the timed batches of (batch time / batch size).
    public let nanosecondsPerOperation: Double
    /// The fastest batch, per operation: the least disturbed by other load.
    public let minimumNanosecondsPerOperation: Double
    /// Allocations per operation in one extra batch after the timed ones; nil if not counted.
    public let allocationsPerOperation: Double?

    public var operationsPerSecond: Double { 1e9 / nanosecondsPerOperation }

    /// Payload throughput in Gbit/s, nil without a payload.
    public var payloadGigabitsPerSecond: Double? {
        benchCase.payloadLength.map { Double($0 * 8) / nanosecondsPerOperation }
    }
}

/// Times cases: each case on a fresh workload, warm-up batches, then `batches` timed batches, each
/// prepared untimed right before it. Single-threaded; see `BenchScaling` for threads.
public struct BenchRunner: Sendable {
    public var settings: BenchSettings
    /// Allocations made so far by the calling thread, if the process can count them (the `perc`
    /// executable links a counting malloc; package-benchmark counts its own way).
    public var allocationCounter: (@Sendable () -> UInt64)?

    public init(settings: BenchSettings, allocationCounter: (@Sendable () -> UInt64)? = nil) {
        self.settings = settings
        self.allocationCounter = allocationCounter
    }

    public func measure(_ benchCase: BenchCase) throws(BenchError) -> BenchMeasurement {
        let workload = try benchCase.makeWorkload(batchSize: settings.batchSize)
        for _ in 0..<settings.warmupBatches {
            try workload.prepareBatch()
            try workload.runBatch()
        }
        let times = try Self.timeBatches(workload, count: settings.batches)
        var allocations: Double?
        if let allocationCounter {
            try workload.prepareBatch()
            let before = allocationCounter()
            try workload.runBatch()
            let after = allocationCounter()
            allocations = Double(after - before) / Double(workload.batchSize)
        }
        let perOperation = times.map { Double($0) / Double(workload.batchSize) }
        return BenchMeasurement(
            benchCase: benchCase, nanosecondsPerOperation: median(perOperation),
            minimumNanosecondsPerOperation: perOperation.min() ?? .nan,
            allocationsPerOperation: allocations)
    }

    /// Nanoseconds of each of `count` batches, each prepared untimed first.
    static func timeBatches(_ workload: any BenchWorkload, count: Int) throws(BenchError)
        -> [UInt64]
    {
        var times: [UInt64] = []
        times.reserveCapacity(count)
        for _ in 0..<count {
            try workload.prepareBatch()
            let start = perc_bench_now_ns()
            try workload.runBatch()
            times.append(perc_bench_now_ns() - start)
        }
        return times
    }
}

func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/// Versions of the libraries measured, for report headers.
public enum BenchEnvironment {
    public static var openSSLVersion: String { String(cString: perc_bench_openssl_version()) }
    public static var libsrtpVersion: String { String(cString: perc_bench_libsrtp_version()) }
}
