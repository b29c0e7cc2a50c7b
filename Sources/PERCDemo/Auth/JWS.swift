import Foundation
import PERC

/// JWS compact serialization (RFC 7515 §7.1), ES256 only (RFC 7518 §3.4):
///
///     BASE64URL(UTF8(header)) '.' BASE64URL(payload) '.' BASE64URL(r ‖ s)
///
/// The signature covers the ASCII of the first two parts (RFC 7515 §5.1 step 5).
public enum JWS {
    /// The only accepted `alg`. RFC 7515 §10.7 / RFC 8725 §3.1: the algorithm is fixed by the
    /// verifier, never taken from the token (so "none" and HMAC algorithms are refused).
    static let algorithm = "ES256"

    /// Signs `payload` (JSON, keys sorted) under `header` (its `alg` must be ES256) with `key`.
    public static func sign(header: JWSHeader, payload: some Encodable, key: ES256PrivateKey)
        throws(AuthError) -> String
    {
        guard header.alg == algorithm else { throw .unsupportedAlgorithm }
        let encodedHeader = Base64URL.encode(try JSON.encode(header))
        let encodedPayload = Base64URL.encode(try JSON.encode(payload))
        // RFC 7515 §5.1 step 5: ASCII(BASE64URL(header) '.' BASE64URL(payload)).
        let signingInput = "\(encodedHeader).\(encodedPayload)"
        let signature = try key.sign(signingInput.utf8)
        return "\(signingInput).\(Base64URL.encode(signature))"
    }

    /// Splits, decodes the header, checks alg == ES256 and the signature against `key`, returns
    /// the payload JSON bytes.
    public static func verify(_ compact: String, key: ES256PublicKey) throws(AuthError) -> (
        header: JWSHeader, payload: [UInt8]
    ) {
        let parts = try split(compact)
        let header = try decodeHeader(parts.header)
        // RFC 7515 §5.2 step 8: validate with the algorithm the verifier expects.
        guard header.alg == algorithm else { throw .unsupportedAlgorithm }
        guard let signature = Base64URL.decodeUnpadded(parts.signature) else {
            throw .malformed("JWS signature is not base64url")
        }
        let signingInput = compact.utf8.prefix(
            parts.header.utf8.count + 1 + parts.payload.utf8.count)
        guard key.isValidSignature(signature, for: signingInput) else { throw .badSignature }
        guard let payload = Base64URL.decodeUnpadded(parts.payload) else {
            throw .malformed("JWS payload is not base64url")
        }
        return (header, payload)
    }

    /// The header of `compact` without checking its signature (e.g. to find the `jwk` a DPoP
    /// proof must then be verified with). Never trust it before `verify` succeeds.
    public static func unverifiedHeader(_ compact: String) throws(AuthError) -> JWSHeader {
        try decodeHeader(try split(compact).header)
    }

    /// The three parts of the compact serialization (RFC 7515 §7.1); anything else is refused
    /// (the JWE five-part form and detached or unsecured forms included).
    private static func split(_ compact: String) throws(AuthError) -> (
        header: Substring, payload: Substring, signature: Substring
    ) {
        let parts = compact.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty }) else {
            throw .malformed("JWS compact serialization needs three non-empty parts")
        }
        return (parts[0], parts[1], parts[2])
    }

    /// RFC 7515 §5.2 steps 2–4: base64url-decode the header and parse it as a JSON object.
    private static func decodeHeader(_ part: Substring) throws(AuthError) -> JWSHeader {
        guard let bytes = Base64URL.decodeUnpadded(part) else {
            throw .malformed("JWS header is not base64url")
        }
        return try JSON.decode(JWSHeader.self, from: bytes, what: "JWS header")
    }
}
