/// The results of one file, or why it could not be run.
public struct FileReport: Sendable {
    public let name: String
    public let results: [VectorResult]
    public let error: VectorFileError?

    init(name: String, results: [VectorResult]) {
        self.name = name
        self.results = results
        error = nil
    }

    init(name: String, error: VectorFileError) {
        self.name = name
        results = []
        self.error = error
    }

    public func count(_ status: VectorResult.Status) -> Int {
        results.count { $0.status == status }
    }

    /// The file's summary line followed by one line per failure, note and skipped vector.
    public var lines: [String] {
        if let error { return ["\(name): \(error)"] }
        var lines = [
            "\(name): \(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped"
        ]
        for result in results {
            switch result.status {
            case .failed:
                lines.append("  FAIL \(result.id): \(result.reasons.joined(separator: "; "))")
            case .skipped:
                lines.append("  skip \(result.id): \(result.reasons.joined(separator: "; "))")
            case .passed: break
            }
            for note in result.notes { lines.append("  note \(result.id): \(note)") }
        }
        return lines
    }
}

/// The results of a whole run.
public struct RunReport: Sendable {
    public let files: [FileReport]

    public init(files: [FileReport]) {
        self.files = files
    }

    public func count(_ status: VectorResult.Status) -> Int {
        files.reduce(0) { $0 + $1.count(status) }
    }

    /// Files that could not be run.
    public var unreadableFiles: [FileReport] { files.filter { $0.error != nil } }

    /// True when every file was read and no vector failed.
    public var succeeded: Bool {
        !files.isEmpty && unreadableFiles.isEmpty && count(.failed) == 0
    }

    /// The report: each file's lines, then the totals alone on the last line.
    public var lines: [String] {
        var lines = files.flatMap(\.lines)
        let unreadable = unreadableFiles.count
        if unreadable > 0 {
            lines.append("error: \(unreadable) file\(unreadable == 1 ? "" : "s") could not be run")
        }
        lines.append(
            "\(count(.passed)) passed, \(count(.failed)) failed, \(count(.skipped)) skipped")
        return lines
    }
}
