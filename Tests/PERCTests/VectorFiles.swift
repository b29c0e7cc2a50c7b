import Foundation
import PERCConformance
import Testing

/// The repository's `Vectors/` directory, located from this file's path: a top-level directory
/// cannot be a test resource.
enum VectorFiles {
    /// `<repo>/Vectors`, from `<repo>/Tests/PERCTests/VectorFiles.swift`.
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Vectors", isDirectory: true)

    /// Every `*.json` file in `Vectors/`, in name order.
    static func files() throws -> [VectorFile] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            try VectorFile(contentsOf: directory.appendingPathComponent(name), name: name)
        }
    }

    /// Every vector of `kind` in `Vectors/`.
    static func vectors(ofKind kind: String) throws -> [Vector] {
        try files().flatMap(\.vectors).filter { $0.kind == kind }
    }
}

extension Vector: CustomTestStringConvertible {
    public var testDescription: String { id }
}
