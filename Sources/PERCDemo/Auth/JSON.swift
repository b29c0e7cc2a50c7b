import Foundation

/// JSON encoding and decoding with `AuthError`s, shared by JWS, tokens, proofs and rosters.
enum JSON {
    /// `value` as compact JSON with sorted keys and unescaped slashes (URLs stay readable).
    static func encode(_ value: some Encodable) throws(AuthError) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return Array(try encoder.encode(value))
        } catch {
            throw .malformed("cannot encode JSON")
        }
    }

    /// `bytes` parsed as a `T`; `what` names the object in the error.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], what: String)
        throws(AuthError) -> T
    {
        do {
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch {
            throw .malformed("\(what) is not valid JSON of the expected shape")
        }
    }
}
