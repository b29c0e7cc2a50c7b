import Glibc
import Testing

@testable import PERC

/// `ProcessHygiene.harden()` changes the whole process, so it runs only in exit-test children.
@Suite struct KeyStoreProcessHygieneTests {
    @Test func hardenMakesTheProcessUndumpableWithNoCoreDumps() async {
        await #expect(processExitsWith: .success) {
            // A fresh process is dumpable (the test runner is not setuid).
            guard ProcessHygiene.status.dumpable else { exit(3) }
            let report = try! ProcessHygiene.harden()
            guard report.allApplied, report.notDumpable, report.coreDumpsDisabled else { exit(4) }
            let status = ProcessHygiene.status
            guard !status.dumpable, !status.coreDumpsAllowed else { exit(5) }
            // Idempotent.
            guard (try? ProcessHygiene.harden()) == report else { exit(6) }
            exit(0)
        }
    }

    @Test func reportDescribesFailures() {
        let report = ProcessHygiene.Report(notDumpableError: 1, coreLimitError: nil)
        #expect(!report.allApplied && !report.notDumpable && report.coreDumpsDisabled)
        #expect(String(describing: report).contains("PR_SET_DUMPABLE failed (errno 1)"))
        #expect(
            String(describing: ProcessHygiene.HardeningError(report: report)).contains(
                "incomplete"))
    }
}
