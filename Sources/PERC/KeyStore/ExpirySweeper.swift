internal import CPERCShims
import Dispatch

/// Wipes a store's expired keys even if nobody touches them.
///
/// One one-shot Dispatch timer per store, created when the first key with a TTL arrives and armed
/// for the earliest expiry deadline; each firing purges what has expired and re-arms for the next
/// deadline, so an idle store with no TTL keys costs no timer and no wakeups. The timer holds the
/// store weakly; `stop` (from `KeyStore.close`, which `deinit` runs) cancels it.
final class ExpirySweeper: Sendable {
    private struct State {
        var timer: (any DispatchSourceTimer)?
        /// The deadline (coarse monotonic ns) the timer is armed for; `.max` when idle.
        var armedFor: UInt64 = .max
        var stopped = false
    }

    private let state = Locked(State())

    /// Makes sure `store` is swept no later than `deadline` (coarse monotonic ns).
    func arm(for deadline: UInt64, sweeping store: KeyStore) {
        state.withLock { state in
            guard !state.stopped, deadline < state.armedFor else { return }
            let timer: any DispatchSourceTimer
            if let existing = state.timer {
                timer = existing
            } else {
                timer = DispatchSource.makeTimerSource(queue: .global(qos: .utility))
                timer.setEventHandler { [weak self, weak store] in
                    guard let self, let store else { return }
                    self.fire(sweeping: store)
                }
                timer.activate()
                state.timer = timer
            }
            state.armedFor = deadline
            let now = perc_coarse_monotonic_ns()
            let delay = deadline > now ? Int(clamping: deadline - now) : 0
            timer.schedule(deadline: .now() + .nanoseconds(delay), leeway: .milliseconds(1))
        }
    }

    private func fire(sweeping store: KeyStore) {
        state.withLock { $0.armedFor = .max }
        if let next = store.purgeExpiredKeys() { arm(for: next, sweeping: store) }
    }

    /// Cancels the timer for good.
    func stop() {
        state.withLock { state in
            state.stopped = true
            state.timer?.cancel()
            state.timer = nil
        }
    }

    /// True while a timer exists (for tests).
    var isRunning: Bool { state.withLock { $0.timer != nil } }
}
