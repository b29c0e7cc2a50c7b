internal import CPERCShims
import Synchronization

/// A value behind a lock: the library's one lock type. It is `Synchronization.Mutex` plus the
/// ThreadSanitizer annotations that mutex lacks on Linux (see perc_tsan.h), so TSan runs of the
/// test suite see the lock's happens-before edges instead of reporting every protected access.
/// Outside TSan builds the annotations are empty C calls. `package`: `perc demo` (PERCDemo) uses it
/// too.
package final class Locked<Value>: @unchecked Sendable {
    private let mutex = Mutex(())
    private var value: Value

    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    @inline(__always)
    package func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        lock()
        defer { unlock() }
        return try body(&value)
    }

    /// Takes the lock; pair with `unlock()` (for code that guards state outside `value`).
    @inline(__always)
    func lock() {
        mutex._unsafeLock()
        perc_tsan_acquire(Unmanaged.passUnretained(self).toOpaque())
    }

    @inline(__always)
    func unlock() {
        perc_tsan_release(Unmanaged.passUnretained(self).toOpaque())
        mutex._unsafeUnlock()
    }
}
