import Foundation
import PERC
import Testing

@testable import PERCDemo

/// Builders for hand-made JWS inputs the library itself would never produce.
enum AuthTestSupport {
    /// A fixed clock for claims: 2023-11-14T22:13:20Z.
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    /// `header` and `payload` JSON text as a compact JWS, signed over the usual signing input with
    /// `key` if given, else carrying `signature`.
    static func compact(
        header: String, payload: String, key: ES256PrivateKey? = nil,
        signature: [UInt8] = Array(repeating: 1, count: 64)
    ) throws -> String {
        let input = "\(Base64URL.encode(header.utf8)).\(Base64URL.encode(payload.utf8))"
        let signature = try key.map { try $0.sign(input.utf8) } ?? signature
        return "\(input).\(Base64URL.encode(signature))"
    }

    /// `compact` with the part at `index` (0 header, 1 payload, 2 signature) replaced.
    static func replacingPart(_ index: Int, of compact: String, with part: String) -> String {
        var parts = compact.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        parts[index] = part
        return parts.joined(separator: ".")
    }

    /// The decoded JSON object of the payload part of `compact`.
    static func payloadObject(_ compact: String) throws -> [String: Any] {
        let part = compact.split(separator: ".")[1]
        let bytes = try #require(Base64URL.decode(part))
        return try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
