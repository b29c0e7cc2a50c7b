/// Why a vector's field cannot be used. The vector fails with this reason; its file goes on.
public enum VectorFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(field: String)
    case wrongType(field: String, expected: String, found: String)
    case badHex(field: String, Hex.DecodingError)
    case outOfRange(field: String, range: String)
    case invalid(field: String, reason: String)

    public var description: String {
        switch self {
        case .missing(let field): "missing field \(field)"
        case .wrongType(let field, let expected, let found):
            "field \(field): expected \(expected), found \(found)"
        case .badHex(let field, let error): "field \(field): \(error)"
        case .outOfRange(let field, let range): "field \(field): out of range \(range)"
        case .invalid(let field, let reason): "field \(field): \(reason)"
        }
    }
}

/// Typed, strict access to the fields of one JSON object of a vector (the vector itself or a
/// nested object such as `session_keys` or a keystream row). `path` names the object in errors.
public struct VectorFields: Sendable {
    public let values: [String: JSONValue]
    public let path: String

    public init(_ values: [String: JSONValue], path: String = "") {
        self.values = values
        self.path = path
    }

    public func contains(_ name: String) -> Bool { values[name] != nil }

    private func qualified(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    private func value(_ name: String) throws(VectorFieldError) -> JSONValue {
        guard let value = values[name] else { throw .missing(field: qualified(name)) }
        return value
    }

    public func string(_ name: String) throws(VectorFieldError) -> String {
        let value = try value(name)
        guard case .string(let string) = value else {
            throw .wrongType(field: qualified(name), expected: "a string", found: value.typeName)
        }
        return string
    }

    public func optionalString(_ name: String) throws(VectorFieldError) -> String? {
        contains(name) ? try string(name) : nil
    }

    /// Octets given as strict lowercase hex.
    public func hex(_ name: String) throws(VectorFieldError) -> [UInt8] {
        let string = try string(name)
        do {
            return try Hex.decode(string)
        } catch {
            throw .badHex(field: qualified(name), error)
        }
    }

    public func optionalHex(_ name: String) throws(VectorFieldError) -> [UInt8]? {
        contains(name) ? try hex(name) : nil
    }

    /// Octets given as hex that must be exactly `count` long.
    public func hex(_ name: String, count: Int) throws(VectorFieldError) -> [UInt8] {
        let bytes = try hex(name)
        guard bytes.count == count else {
            throw .invalid(
                field: qualified(name), reason: "\(bytes.count) octets, expected \(count)")
        }
        return bytes
    }

    public func bool(_ name: String, default fallback: Bool) throws(VectorFieldError) -> Bool {
        guard let value = values[name] else { return fallback }
        guard case .bool(let bool) = value else {
            throw .wrongType(field: qualified(name), expected: "a boolean", found: value.typeName)
        }
        return bool
    }

    /// A JSON integer that must fit `T`.
    public func integer<T: FixedWidthInteger & Sendable>(_ name: String, as type: T.Type = T.self)
        throws(VectorFieldError) -> T
    {
        let value = try value(name)
        guard case .integer(let integer) = value else {
            throw .wrongType(field: qualified(name), expected: "an integer", found: value.typeName)
        }
        guard let fitted = T(exactly: integer) else {
            throw .outOfRange(field: qualified(name), range: "\(T.min)...\(T.max)")
        }
        return fitted
    }

    public func integer<T: FixedWidthInteger & Sendable>(_ name: String, default fallback: T)
        throws(VectorFieldError) -> T
    {
        contains(name) ? try integer(name, as: T.self) : fallback
    }

    /// An integer given either as a JSON integer or as a big-endian hex string (the `aead_iv`
    /// fields appear both ways in the shared vectors).
    public func integerOrHex<T: FixedWidthInteger & Sendable>(
        _ name: String, as type: T.Type = T.self
    ) throws(VectorFieldError) -> T {
        guard case .string = try value(name) else { return try integer(name, as: T.self) }
        let bytes = try hex(name)
        guard !bytes.isEmpty else {
            throw .invalid(field: qualified(name), reason: "empty hex string")
        }
        var result: T = 0
        for byte in bytes {
            let (shifted, overflow) = result.multipliedReportingOverflow(by: 256)
            guard !overflow else {
                throw .outOfRange(field: qualified(name), range: "\(T.min)...\(T.max)")
            }
            result = shifted | T(byte)
        }
        return result
    }

    public func object(_ name: String) throws(VectorFieldError) -> VectorFields {
        let value = try value(name)
        guard case .object(let object) = value else {
            throw .wrongType(field: qualified(name), expected: "an object", found: value.typeName)
        }
        return VectorFields(object, path: qualified(name))
    }

    /// An array of objects, each addressed as `name[i]` in errors.
    public func objects(_ name: String) throws(VectorFieldError) -> [VectorFields] {
        let value = try value(name)
        guard case .array(let array) = value else {
            throw .wrongType(field: qualified(name), expected: "an array", found: value.typeName)
        }
        var result: [VectorFields] = []
        for (index, element) in array.enumerated() {
            let elementPath = "\(qualified(name))[\(index)]"
            guard case .object(let object) = element else {
                throw .wrongType(field: elementPath, expected: "an object", found: element.typeName)
            }
            result.append(VectorFields(object, path: elementPath))
        }
        return result
    }
}
