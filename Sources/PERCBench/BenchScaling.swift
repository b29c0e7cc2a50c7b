import Dispatch
import Foundation
internal import CPERCBenchBaselines
import Synchronization

/// What one thread of a `BenchScaling` run measured over its timed batches.
public struct BenchThreadResult: Sendable {
    /// Median ns per operation over the timed batches: the speed while the thread runs.
    public let nanosecondsPerOperation: Double
    /// Operations over the summed wall time of the timed batches: what the thread delivered,
    /// including any time it was descheduled.
    public let operationsPerSecond: Double
    /// Thread CPU time over wall time during the timed batches: near 1 when the thread had a
    /// core to itself, 0.5 when it shared one.
    public let cpuShare: Double
}

/// What `BenchScaling` measured for one thread count.
public struct BenchScalingResult: Sendable {
    public let benchCase: BenchCase
    public let threads: [BenchThreadResult]

    /// Operations per second of all threads together.
    public var totalOperationsPerSecond: Double {
        threads.reduce(0) { $0 + $1.operationsPerSecond }
    }

    /// Operations per second per thread (= per core while threads ≤ cores).
    public var perThreadOperationsPerSecond: Double {
        totalOperationsPerSecond / Double(threads.count)
    }
}

/// Runs one case on several threads at once, each with its own workload (its own sessions and
/// key store, so no lock is shared), all starting their timed batches together. With one thread
/// per core, the per-thread rate should stay near the single-thread rate.
public enum BenchScaling {
    public static func measure(_ benchCase: BenchCase, threads: Int, settings: BenchSettings)
        throws(BenchError) -> BenchScalingResult
    {
        let shared = Shared(threads: threads)
        for thread in 0..<threads {
            let worker = Thread {
                shared.finish(thread, run(benchCase, settings: settings, shared: shared))
            }
            // libsrtp2 session creation scrubs 256 KiB of stack (see perc_srtp_create).
            worker.stackSize = 4 << 20
            worker.start()
        }
        for _ in 0..<threads { shared.done.wait() }
        var results: [BenchThreadResult] = []
        for outcome in shared.outcomes.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            results.append(try outcome.value.get())
        }
        return BenchScalingResult(benchCase: benchCase, threads: results)
    }

    private static func run(_ benchCase: BenchCase, settings: BenchSettings, shared: Shared)
        -> Result<BenchThreadResult, BenchError>
    {
        let workload = Result { () throws(BenchError) -> any BenchWorkload in
            let workload = try benchCase.makeWorkload(batchSize: settings.batchSize)
            for _ in 0..<settings.warmupBatches {
                try workload.prepareBatch()
                try workload.runBatch()
            }
            return workload
        }
        shared.arriveAndWait()  // every thread arrives, failed or not
        return workload.flatMap { workload in
            Result { () throws(BenchError) -> BenchThreadResult in
                var times: [UInt64] = []
                var cpu: UInt64 = 0
                for _ in 0..<settings.batches {
                    try workload.prepareBatch()
                    let cpuStart = perc_bench_thread_cpu_ns()
                    let start = perc_bench_now_ns()
                    try workload.runBatch()
                    times.append(perc_bench_now_ns() - start)
                    cpu += perc_bench_thread_cpu_ns() - cpuStart
                }
                let wall = Double(times.reduce(0, +))
                let operations = Double(settings.batches * workload.batchSize)
                return BenchThreadResult(
                    nanosecondsPerOperation: median(
                        times.map { Double($0) / Double(workload.batchSize) }),
                    operationsPerSecond: operations / wall * 1e9, cpuShare: Double(cpu) / wall)
            }
        }
    }

    private final class Shared: Sendable {
        let threads: Int
        let arrived = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let outcomes = Mutex<[Int: Result<BenchThreadResult, BenchError>]>([:])

        init(threads: Int) {
            self.threads = threads
        }

        /// A start barrier: spins until all threads are ready, so timed batches overlap.
        func arriveAndWait() {
            arrived.add(1, ordering: .acquiringAndReleasing)
            while arrived.load(ordering: .acquiring) < threads {}
        }

        func finish(_ thread: Int, _ outcome: Result<BenchThreadResult, BenchError>) {
            outcomes.withLock { $0[thread] = outcome }
            done.signal()
        }
    }
}
