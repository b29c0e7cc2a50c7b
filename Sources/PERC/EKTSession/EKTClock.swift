internal import CPERCShims

/// The time source of EKT senders and receivers: nanoseconds of a monotonic clock. The default
/// is `CLOCK_MONOTONIC_COARSE` (a few nanoseconds per read, millisecond resolution), which is all
/// a 100 ms schedule or a 2 s rekey overlap needs; tests inject their own.
struct EKTClock: Sendable {
    let now: @Sendable () -> UInt64

    static let coarseMonotonic = EKTClock { perc_coarse_monotonic_ns() }

    /// `duration` in nanoseconds, saturating; negative durations are 0.
    static func nanoseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        let whole = UInt64(max(0, seconds)).multipliedReportingOverflow(by: 1_000_000_000)
        guard !whole.overflow else { return .max }
        let (total, overflow) = whole.partialValue.addingReportingOverflow(
            UInt64(max(0, attoseconds) / 1_000_000_000))
        return overflow ? .max : total
    }
}
