import Dispatch
import Foundation
import Synchronization

/// What `BenchScaling` measured for one thread count.
public struct BenchScalingResult: Sendable {
    public let benchCase: BenchCase
    public let threads: Int
    /// Each thread's median ns per operation over its timed batches.
    public let perThreadNanoseconds: [Double]

    /// Operations per second of all threads together.
    public var aggregateOperationsPerSecond: Double {
        perThreadNanoseconds.reduce(0) { $0 + 1e9 / $1 }
    }

    /// Operations per second per thread (= per core while threads ≤ cores).
    public var perThreadOperationsPerSecond: Double {
        aggregateOperationsPerSecond / Double(threads)
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
        var perThread: [Double] = []
        for _ in 0..<threads { shared.done.wait() }
        for outcome in shared.outcomes.withLock({ $0 }).sorted(by: { $0.key < $1.key }) {
            perThread.append(try outcome.value.get())
        }
        return BenchScalingResult(
            benchCase: benchCase, threads: threads, perThreadNanoseconds: perThread)
    }

    private static func run(_ benchCase: BenchCase, settings: BenchSettings, shared: Shared)
        -> Result<Double, BenchError>
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
            Result { () throws(BenchError) -> Double in
                let times = try BenchRunner.timeBatches(workload, count: settings.batches)
                return median(times.map { Double($0) / Double(workload.batchSize) })
            }
        }
    }

    private final class Shared: Sendable {
        let threads: Int
        let arrived = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        let outcomes = Mutex<[Int: Result<Double, BenchError>]>([:])

        init(threads: Int) {
            self.threads = threads
        }

        /// A start barrier: spins until all threads are ready, so timed batches overlap.
        func arriveAndWait() {
            arrived.add(1, ordering: .acquiringAndReleasing)
            while arrived.load(ordering: .acquiring) < threads {}
        }

        func finish(_ thread: Int, _ outcome: Result<Double, BenchError>) {
            outcomes.withLock { $0[thread] = outcome }
            done.signal()
        }
    }
}
