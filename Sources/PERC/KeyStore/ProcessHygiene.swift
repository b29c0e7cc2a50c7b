internal import CPERCShims

/// Opt-in process-wide measures that keep key material out of core dumps and away from debuggers.
///
/// The key store's own protections (`MemoryProtection`) cover only its sealed regions; key
/// schedules inside OpenSSL and libsrtp2 live in ordinary heap memory. Hardening the process
/// covers those too, at the cost of losing core dumps for crash analysis. Call it once, early.
public enum ProcessHygiene {
    /// Which measures took effect. Each is the errno value of the failing call, or `nil`.
    public struct Report: Sendable, Equatable, CustomStringConvertible {
        /// `prctl(PR_SET_DUMPABLE, 0)`: no core dump on a crash, no `ptrace` attach and no
        /// `/proc/<pid>/mem` access by other processes of the same user (root keeps them).
        public var notDumpableError: Int32?
        /// `setrlimit(RLIMIT_CORE, 0)`: core dumps disabled, also for children.
        public var coreLimitError: Int32?

        public var notDumpable: Bool { notDumpableError == nil }
        public var coreDumpsDisabled: Bool { coreLimitError == nil }
        public var allApplied: Bool { notDumpable && coreDumpsDisabled }

        public var description: String {
            let parts = [
                notDumpableError.map { "PR_SET_DUMPABLE failed (errno \($0))" }
                    ?? "not dumpable",
                coreLimitError.map { "RLIMIT_CORE failed (errno \($0))" } ?? "core dumps off",
            ]
            return "ProcessHygiene.Report(\(parts.joined(separator: ", ")))"
        }
    }

    /// Some measure did not take effect; the report says which.
    public struct HardeningError: Error, Sendable, Equatable, CustomStringConvertible {
        public let report: Report
        public var description: String { "process hardening incomplete: \(report)" }
    }

    /// The process's current state, whoever set it.
    public struct Status: Sendable, Equatable {
        /// `PR_GET_DUMPABLE` is set: a crash may write a core file and same-user processes may
        /// attach.
        public var dumpable: Bool
        /// `RLIMIT_CORE` is above zero.
        public var coreDumpsAllowed: Bool
    }

    public static var status: Status {
        Status(
            dumpable: perc_process_is_dumpable() != 0,
            coreDumpsAllowed: perc_core_dumps_allowed() != 0)
    }

    /// Makes the process non-dumpable and sets its core size limit to zero. Returns what was
    /// applied; throws `HardeningError`, carrying the same report, if any measure failed (those
    /// that succeeded stay in force).
    @discardableResult
    public static func harden() throws(HardeningError) -> Report {
        let dumpable = perc_disable_dumpable()
        let core = perc_disable_core_dumps()
        let report = Report(
            notDumpableError: dumpable == 0 ? nil : dumpable,
            coreLimitError: core == 0 ? nil : core)
        guard report.allApplied else { throw HardeningError(report: report) }
        return report
    }
}
