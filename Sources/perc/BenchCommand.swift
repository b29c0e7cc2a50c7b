import ArgumentParser
internal import CPERCBenchMallocCounter
import Foundation
import PERCBench

/// `perc bench`: times the SRTP hot path against raw OpenSSL EVP and raw libsrtp2 in one process
/// and prints Markdown tables. Run it in release: `swift run -c release perc bench`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmark SRTP/SRTCP and EKT against raw OpenSSL EVP and libsrtp2.",
        discussion: """
            Each case runs on a fresh workload: warm-up batches, then timed batches of packets \
            prepared untimed right before (unprotect cases get freshly protected packets with \
            increasing SEQ, so the receiver's replay window accepts each). Reports the median \
            batch per packet, and the ratio to the raw EVP case of the same group measured in \
            this run. Build in release (swift run -c release perc bench); debug numbers mean \
            nothing.
            """)

    @Flag(help: "A short smoke run (seconds): 5 batches of 100 packets, no scaling run.")
    var quick = false

    @Option(help: "Packets (operations) per batch.")
    var packets: Int?

    @Option(help: "Timed batches per case; the median is reported.")
    var batches: Int?

    @Option(help: "Run only cases whose name contains this text.")
    var filter: String?

    @Flag(help: "Skip the multi-threaded scaling run.")
    var noScaling = false

    func validate() throws {
        if let packets, packets < 1 { throw ValidationError("--packets must be at least 1") }
        if let batches, batches < 1 { throw ValidationError("--batches must be at least 1") }
    }

    func run() throws {
        var settings = quick ? BenchSettings.quick : .standard
        if let packets { settings.batchSize = packets }
        if let batches { settings.batches = batches }
        var runner = BenchRunner(settings: settings)
        if perc_bench_allocations_counted() == 1 {
            runner.allocationCounter = { perc_bench_thread_allocations() }
        }

        printHeader(settings)
        let cases = BenchCatalog.all().filter { filter.map($0.name.contains) ?? true }
        // The first case measured in a fresh process runs slow (clock ramp-up, cold caches and
        // page faults): measure it once and discard.
        if let first = cases.first { _ = try runner.measure(first) }
        var measurements: [BenchMeasurement] = []
        for benchCase in cases {
            measurements.append(try runner.measure(benchCase))
        }
        let report = BenchReport(measurements)
        print("## Per packet, against the raw EVP floor (same run)\n")
        print(report.summary())
        let unbaselined = report.unbaselined()
        if !unbaselined.isEmpty { print("\n## Without a baseline\n\n" + unbaselined) }
        print("\n## Targets (reported, not asserted)\n")
        print(report.targets())
        if !quick && !noScaling { try printScaling(settings) }
        print("\n## All cases\n")
        print(report.table())
    }

    private func printHeader(_ settings: BenchSettings) {
        #if DEBUG
            print(
                "WARNING: debug build; timings are meaningless. Use swift run -c release perc bench.\n"
            )
        #endif
        print("# perc bench\n")
        print("- CPU: \(Self.cpuModel()) (\(ProcessInfo.processInfo.activeProcessorCount) cores)")
        print("- \(BenchEnvironment.openSSLVersion); \(BenchEnvironment.libsrtpVersion)")
        print("- load average at start: \(Self.loadAverage())")
        print(
            "- \(settings.batches) timed batches of \(settings.batchSize) packets per case "
                + "(after \(settings.warmupBatches) warm-up); ns/op = median batch / batch size\n")
    }

    /// One thread, then one per core (two here): each thread its own sessions.
    private func printScaling(_ settings: BenchSettings) throws {
        print("\n## Scaling: one session per thread\n")
        print(
            "ns/op = each thread's median batch; op/s = packets over the summed wall time of its "
                + "timed batches; CPU share = thread CPU time / that wall time (1.00: a core of "
                + "its own).\n")
        print(
            "| Case | Threads | ns/op per thread | CPU share | op/s per thread | op/s total | per thread vs 1 |"
        )
        print("|---|--:|--:|--:|--:|--:|--:|")
        let packet = BenchPacket.synthetic(payloadLength: 1200)
        let cases = BenchDirection.endpoint.map {
            BenchCatalog.srtpCase(.aeadAES128GCM, $0, packet, .openSSLEngine)
        }
        let cores = max(ProcessInfo.processInfo.activeProcessorCount, 1)
        for benchCase in cases where filter.map(benchCase.name.contains) ?? true {
            var single: Double?
            for threads in Set([1, min(cores, 2)]).sorted() {
                let result = try BenchScaling.measure(
                    benchCase, threads: threads, settings: settings)
                let perThread = result.perThreadOperationsPerSecond
                single = single ?? perThread
                let columns = [
                    result.threads.map { Self.fixed($0.nanosecondsPerOperation, 0) },
                    result.threads.map { Self.fixed($0.cpuShare, 2) },
                ].map { $0.joined(separator: ", ") }
                print(
                    "| \(benchCase.name) | \(threads) | \(columns[0]) | \(columns[1]) | "
                        + "\(Self.fixed(perThread / 1e6, 2)) M | "
                        + "\(Self.fixed(result.totalOperationsPerSecond / 1e6, 2)) M | "
                        + "\(Self.fixed(perThread / single!, 2))× |")
            }
        }
    }

    private static func fixed(_ value: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", value)
    }

    private static func cpuModel() -> String {
        let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let line = info.split(separator: "\n").first { $0.hasPrefix("model name") }
        return line.flatMap { $0.split(separator: ":", maxSplits: 1).last }
            .map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
    }

    private static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }
}
