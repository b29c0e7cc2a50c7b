import Foundation

/// One vector of a file: its `id`, its `kind` and all of its fields.
public struct Vector: Sendable {
    public let id: String
    public let kind: String
    public let fields: VectorFields
}

/// Why a file could not be run at all. Its vectors are not counted; the run fails.
public enum VectorFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The path does not exist, is not readable, or names a directory without `*.json` files.
    case unreadable(String)
    /// The contents are not JSON.
    case invalidJSON(String)
    /// The JSON is not `{ "source": ..., "vectors": [ {...}, ... ] }`.
    case notAVectorFile(String)

    public var description: String {
        switch self {
        case .unreadable(let why): "unreadable: \(why)"
        case .invalidJSON(let why): "invalid JSON: \(why)"
        case .notAVectorFile(let why): "not a vector file: \(why)"
        }
    }
}

/// A parsed vector file (vectors/SCHEMA.md): the vectors in order, and the entries that are not
/// usable vectors (not an object, no `id` or `kind`), which the runner reports as failures.
public struct VectorFile: Sendable {
    /// An entry of `vectors` that cannot be run: where it is and why.
    public struct MalformedEntry: Sendable {
        public let id: String
        public let reason: String
    }

    public let name: String
    public let source: String?
    public let vectors: [Vector]
    public let malformed: [MalformedEntry]

    public init(contentsOf url: URL, name: String? = nil) throws(VectorFileError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(Self.reason(error))
        }
        try self.init(data: data, name: name ?? url.path)
    }

    public init(data: Data, name: String) throws(VectorFileError) {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw .invalidJSON(Self.syntaxError(in: data))
        }
        guard case .object(let top) = root else {
            throw .notAVectorFile("the top level is \(root.typeName), not an object")
        }
        guard case .array(let entries)? = top["vectors"] else {
            throw .notAVectorFile("no \"vectors\" array")
        }
        if case .string(let source)? = top["source"] { self.source = source } else { source = nil }
        self.name = name
        var vectors: [Vector] = []
        var malformed: [MalformedEntry] = []
        for (position, entry) in entries.enumerated() {
            let placeholder = "vectors[\(position)]"
            guard case .object(let object) = entry else {
                malformed.append(.init(id: placeholder, reason: "entry is \(entry.typeName)"))
                continue
            }
            let fields = VectorFields(object)
            do {
                let id = try fields.string("id")
                let kind = try fields.string("kind")
                vectors.append(Vector(id: id, kind: kind, fields: fields))
            } catch {
                let id = (try? fields.string("id")) ?? placeholder
                malformed.append(.init(id: id, reason: error.description))
            }
        }
        self.vectors = vectors
        self.malformed = malformed
    }

    private static func reason(_ error: any Error) -> String {
        (error as NSError).localizedDescription
    }

    /// JSONDecoder says only "not valid JSON"; JSONSerialization says where and why.
    private static func syntaxError(in data: Data) -> String {
        do {
            _ = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            return "not valid JSON"
        } catch {
            let info = (error as NSError).userInfo
            return info[NSDebugDescriptionErrorKey] as? String ?? reason(error)
        }
    }
}
