import Foundation

/// Runs vector files in the vectors/SCHEMA.md shape, including files it has never seen: each
/// vector goes to the executor registered for its kind; kinds without one are skipped by id.
public struct ConformanceRunner: Sendable {
    public let registry: VectorRegistry

    public init(registry: VectorRegistry = .standard) {
        self.registry = registry
    }

    /// Runs every file named by `paths`. A directory stands for every `*.json` in it (not
    /// recursive), in name order.
    public func run(paths: [String]) -> RunReport {
        RunReport(
            files: paths.flatMap(Self.expand).map { entry in
                switch entry {
                case .file(let url, let name): run(fileAt: url, name: name)
                case .error(let name, let error): FileReport(name: name, error: error)
                }
            })
    }

    public func run(fileAt url: URL, name: String? = nil) -> FileReport {
        let name = name ?? url.path
        do {
            return run(try VectorFile(contentsOf: url, name: name))
        } catch {
            return FileReport(name: name, error: error)
        }
    }

    public func run(_ file: VectorFile) -> FileReport {
        var results = file.malformed.map {
            VectorResult.failed(id: $0.id, kind: "?", ["malformed vector: \($0.reason)"])
        }
        var seen: Set<String> = []
        for vector in file.vectors {
            guard seen.insert(vector.id).inserted else {
                results.append(.failed(id: vector.id, kind: vector.kind, ["duplicate id"]))
                continue
            }
            results.append(execute(vector))
        }
        return FileReport(name: file.name, results: results)
    }

    /// Runs one vector. Never throws: every problem is a failed result.
    public func execute(_ vector: Vector) -> VectorResult {
        guard let executor = registry.executor(for: vector.kind) else {
            let reason =
                registry.skipReason(for: vector.kind) ?? "kind \(vector.kind) is not executed"
            return .skipped(vector, reason)
        }
        do {
            let outcome = try executor.execute(vector)
            return outcome.failures.isEmpty
                ? .passed(vector, notes: outcome.notes)
                : .failed(id: vector.id, kind: vector.kind, outcome.failures, notes: outcome.notes)
        } catch {
            return .failed(id: vector.id, kind: vector.kind, ["\(error)"])
        }
    }

    private enum Entry {
        case file(URL, name: String)
        case error(name: String, VectorFileError)
    }

    private static func expand(_ path: String) -> [Entry] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return [.error(name: path, .unreadable("no such file or directory"))]
        }
        guard isDirectory.boolValue else { return [.file(URL(fileURLWithPath: path), name: path)] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            return [.error(name: path, .unreadable((error as NSError).localizedDescription))]
        }
        let jsonNames = names.filter { $0.hasSuffix(".json") }.sorted()
        guard !jsonNames.isEmpty else {
            return [.error(name: path, .unreadable("directory holds no *.json files"))]
        }
        let directory = URL(fileURLWithPath: path, isDirectory: true)
        let prefix = path.hasSuffix("/") ? path : path + "/"
        return jsonNames.map { .file(directory.appendingPathComponent($0), name: prefix + $0) }
    }
}
