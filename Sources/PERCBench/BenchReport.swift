import PERC

/// Renders measurements as Markdown tables: every case with its ratio to the floor of its group,
/// and the performance targets of issue #6 checked against the same run.
public struct BenchReport: Sendable {
    public let measurements: [BenchMeasurement]

    public init(_ measurements: [BenchMeasurement]) {
        self.measurements = measurements
    }

    /// One row per group that has a raw EVP floor: each implementation's median ns/op with its
    /// ratio (×) to the floor, and the allocations per packet of the two engines.
    public func summary() -> String {
        let columns = BenchCatalog.srtpImplementations
        var lines = [
            "| Group | "
                + columns.map { $0 == .rawEVP ? "\($0) ns" : "\($0) ns (×)" }
                .joined(separator: " | ") + " | allocs/pkt: OpenSSL / libsrtp2 engine |",
            "|---|" + columns.map { _ in "--:|" }.joined() + "--:|",
        ]
        for group in groups where floor(of: group) != nil {
            let floor = floor(of: group)!
            let cells = columns.map { implementation in
                ns(group, implementation).map {
                    implementation == .rawEVP
                        ? Format.fixed($0, 0)
                        : "\(Format.fixed($0, 0)) (\(Format.fixed($0 / floor, 2))×)"
                } ?? "–"
            }
            let allocations = [BenchImplementation.openSSLEngine, .libsrtp2Engine].map {
                measurement(group, $0)?.allocationsPerOperation.map { Format.fixed($0, 0) } ?? "n/a"
            }
            lines.append(
                "| \(group) | " + cells.joined(separator: " | ") + " | "
                    + allocations.joined(separator: " / ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    /// Cases without a baseline (EKT): ns, rate and allocations per operation.
    public func unbaselined() -> String {
        var lines = ["| Operation | ns/op | op/s | allocs/op |", "|---|--:|--:|--:|"]
        for m in measurements where floor(of: m.benchCase.group) == nil {
            lines.append(
                "| \(m.benchCase.name) | \(Format.fixed(m.nanosecondsPerOperation, 0)) | "
                    + "\(Format.rate(m.operationsPerSecond)) | "
                    + "\(m.allocationsPerOperation.map { Format.fixed($0, 2) } ?? "n/a") |")
        }
        return lines.count > 2 ? lines.joined(separator: "\n") : ""
    }

    /// Group names in first-measured order.
    private var groups: [String] {
        var seen = Set<String>()
        return measurements.map(\.benchCase.group).filter { seen.insert($0).inserted }
    }

    /// One row per case. `× raw EVP` is the case's median over the median of the raw EVP case of
    /// its group, measured in the same run: 1.00 is the floor, 3.00 three times its time.
    public func table() -> String {
        var lines = [
            "| Case | Implementation | ns/op | min ns/op | op/s | Gbit/s | allocs/op | × raw EVP |",
            "|---|---|--:|--:|--:|--:|--:|--:|",
        ]
        for m in measurements {
            let ratio = floor(of: m.benchCase.group).map { m.nanosecondsPerOperation / $0 }
            lines.append(
                "| \(m.benchCase.group) | \(m.benchCase.implementation) | "
                    + "\(Format.fixed(m.nanosecondsPerOperation, 0)) | "
                    + "\(Format.fixed(m.minimumNanosecondsPerOperation, 0)) | "
                    + "\(Format.rate(m.operationsPerSecond)) | "
                    + "\(m.payloadGigabitsPerSecond.map { Format.fixed($0, 2) } ?? "–") | "
                    + "\(m.allocationsPerOperation.map { Format.fixed($0, 2) } ?? "n/a") | "
                    + "\(ratio.map { Format.fixed($0, 2) + "×" } ?? "–") |")
        }
        return lines.joined(separator: "\n")
    }

    /// The targets (reported, not asserted): GCM on the OpenSSL engine within 1.10× raw EVP; the
    /// OpenSSL engine at least 2× (GCM) / 3× (AES-CM + HMAC-SHA1) faster than raw libsrtp2 and the
    /// libsrtp2 engine; no allocation per packet after warm-up on the OpenSSL engine, and none
    /// added by the libsrtp2 engine to libsrtp2's own. Rows only for groups measured.
    public func targets() -> String {
        var lines = [
            "| Target | Group | Measured | Result |",
            "|---|---|--:|---|",
        ]
        func row(_ target: String, _ group: String, _ measured: String, _ met: Bool) {
            lines.append("| \(target) | \(group) | \(measured) | \(met ? "met" : "MISSED") |")
        }
        let sizes = [BenchPacket.synthetic(payloadLength: 160), .synthetic(payloadLength: 1200)]
        for profile in BenchCatalog.srtpProfiles {
            for direction in BenchDirection.endpoint {
                for packet in sizes {
                    let group = BenchCatalog.group(profile, direction, packet)
                    guard let engine = ns(group, .openSSLEngine) else { continue }
                    if profile.isAEAD, let evp = ns(group, .rawEVP) {
                        let ratio = engine / evp
                        row(
                            "OpenSSL engine ≤ 1.10× raw EVP", group, Format.fixed(ratio, 3) + "×",
                            ratio <= 1.10)
                    }
                    let wanted = profile.isAEAD ? 2.0 : 3.0
                    for libsrtp in [BenchImplementation.rawLibSRTP, .libsrtp2Engine] {
                        guard let other = ns(group, libsrtp) else { continue }
                        let speedup = other / engine
                        row(
                            "OpenSSL engine ≥ \(Format.fixed(wanted, 0))× faster than \(libsrtp)",
                            group, Format.fixed(speedup, 3) + "×", speedup >= wanted)
                    }
                }
            }
        }
        // Allocations: none on the OpenSSL engine; the libsrtp2 engine adds none to what
        // libsrtp2 itself allocates per packet (Debian's build allocates inside NSS).
        let counted = measurements.filter { $0.allocationsPerOperation != nil }
        let openSSL = counted.filter { $0.benchCase.implementation == .openSSLEngine }
        if !openSSL.isEmpty {
            let allocating = openSSL.filter { $0.allocationsPerOperation! > 0 }
            row(
                "OpenSSL engine: 0 allocations/packet after warm-up",
                "all \(openSSL.count) OpenSSL engine cases", "\(allocating.count) allocate",
                allocating.isEmpty)
            for m in allocating {
                row(
                    "OpenSSL engine: 0 allocations/packet", m.benchCase.group,
                    Format.fixed(m.allocationsPerOperation!, 2), false)
            }
        }
        let libsrtp = counted.filter { $0.benchCase.implementation == .libsrtp2Engine }
        if !libsrtp.isEmpty {
            let adding = libsrtp.filter { m in
                let raw = counted.first {
                    $0.benchCase.group == m.benchCase.group
                        && $0.benchCase.implementation == .rawLibSRTP
                }
                return raw.map { m.allocationsPerOperation! > $0.allocationsPerOperation! } ?? true
            }
            let perPacket = Set(libsrtp.map { Format.fixed($0.allocationsPerOperation!, 0) })
            row(
                "libsrtp2 engine: no allocation beyond libsrtp2's own",
                "all \(libsrtp.count) libsrtp2 engine cases",
                "libsrtp2 allocates \(perPacket.sorted().joined(separator: "/")); "
                    + "engine adds to \(adding.count)", adding.isEmpty)
        }
        return lines.joined(separator: "\n")
    }

    private func measurement(_ group: String, _ implementation: BenchImplementation)
        -> BenchMeasurement?
    {
        measurements.first {
            $0.benchCase.group == group && $0.benchCase.implementation == implementation
        }
    }

    private func ns(_ group: String, _ implementation: BenchImplementation) -> Double? {
        measurement(group, implementation)?.nanosecondsPerOperation
    }

    private func floor(of group: String) -> Double? { ns(group, .rawEVP) }
}

/// Number formatting without Foundation.
enum Format {
    /// `value` rounded to `digits` decimals.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return "–" }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        let whole = Int(scaled / scale)
        let fraction = Int(scaled - Double(whole) * scale)
        var text = (value < 0 && scaled != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// A rate with a k/M suffix: "4.37 M".
    static func rate(_ value: Double) -> String {
        if value >= 1e6 { return fixed(value / 1e6, 2) + " M" }
        if value >= 1e3 { return fixed(value / 1e3, 1) + " k" }
        return fixed(value, 0)
    }
}
