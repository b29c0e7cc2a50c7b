import ArgumentParser
import PERCConformance

/// `perc vectors [PATH ...]`: runs conformance vector files on both SRTP engines.
struct VectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vectors",
        abstract: "Run conformance vector files (the Vectors/SCHEMA.md shape).",
        discussion: """
            Prints one line per file, one line per failed, skipped or noted vector, and the \
            totals alone on the last line. Exits non-zero if any vector failed or any file \
            could not be read.
            """)

    @Argument(help: "Vector files, or directories standing for every *.json in them (sorted).")
    var paths: [String] = ["Vectors/"]

    func run() throws {
        let report = ConformanceRunner().run(paths: paths)
        for line in report.lines { print(line) }
        if !report.succeeded { throw ExitCode.failure }
    }
}
