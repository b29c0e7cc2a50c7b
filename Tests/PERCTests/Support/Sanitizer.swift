import Glibc
import Testing

/// The sanitizer runtime the test process runs under, detected at run time from its symbols
/// (`swift test --sanitize=address` / `--sanitize=thread` link it into the test binary).
///
/// Tests whose checks a sanitizer defeats are disabled under it with `.disabled(if:_:)`, so the
/// run lists them as skipped with the reason instead of passing them silently:
/// - scanning the whole process memory: the sanitizers reserve terabytes of shadow memory, and
///   reading it through `/proc/self/mem` does not finish;
/// - `mlock`: ASan reports success but does not lock.
enum Sanitizer {
    static let address = isLinked("__asan_init")
    static let thread = isLinked("__tsan_init")
    static let any = address || thread

    /// The reason given for a test disabled under a sanitizer.
    static let memoryScanReason: Comment =
        "scans all process memory, which under a sanitizer includes terabytes of shadow memory"

    private static func isLinked(_ symbol: String) -> Bool {
        // A nil handle is RTLD_DEFAULT: every object loaded in the process.
        dlsym(nil, symbol) != nil
    }
}
