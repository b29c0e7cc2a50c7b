/// Why a token, proof, roster, key or password operation was refused. Descriptions name the rule
/// that failed and never carry key bytes, passwords or token contents.
public enum AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The input is not well formed (JWS compact form, base64url, JSON, JWK, claims, encoding).
    case malformed(String)
    /// The JWS `alg` is not ES256 (RFC 7518 §3.4), `none` included.
    case unsupportedAlgorithm
    /// The ES256 signature does not verify with the expected key.
    case badSignature
    /// The JWS `typ` is not the one this kind of object requires.
    case wrongType
    /// The token's `iss` is not the expected issuer (RFC 7519 §4.1.1).
    case wrongIssuer
    /// The token's `aud` is not this resource server (RFC 7519 §4.1.3).
    case wrongAudience
    /// The token's `exp` has passed (RFC 7519 §4.1.4).
    case expired
    /// The token's `iat` lies in the future (RFC 9068 §4).
    case notYetValid
    /// The DPoP proof's `jti` was seen before within the acceptance window (RFC 9449 §11.1).
    case proofReplayed
    /// The DPoP proof's `htm` is not the request's method (RFC 9449 §4.3 step 8).
    case proofMethodMismatch
    /// The DPoP proof's `htu` is not the request's URI (RFC 9449 §4.3 step 9).
    case proofURLMismatch
    /// The DPoP proof's `iat` is older than the accepted window (RFC 9449 §4.3 step 11).
    case proofTooOld
    /// The DPoP proof's `iat` is further in the future than the allowed clock skew (RFC 9449 §4.3
    /// step 11).
    case proofIssuedInFuture
    /// The DPoP proof's `ath` is missing or is not the hash of the presented access token (RFC 9449
    /// §4.3 step 12).
    case proofAccessTokenMismatch
    /// The DPoP proof's key is not the one the access token is bound to (`cnf.jkt`, RFC 9449
    /// §6.1).
    case keyBindingMismatch
    /// The underlying crypto library failed; carries OpenSSL's error text.
    case crypto(String)

    public var description: String {
        switch self {
        case .malformed(let what): "malformed: \(what)"
        case .unsupportedAlgorithm: "unsupported JWS algorithm (only ES256 is accepted)"
        case .badSignature: "signature does not verify"
        case .wrongType: "wrong JWS typ"
        case .wrongIssuer: "token issuer is not the expected one"
        case .wrongAudience: "token audience is not this server"
        case .expired: "token expired"
        case .notYetValid: "token issued in the future"
        case .proofReplayed: "DPoP proof replayed (jti seen before)"
        case .proofMethodMismatch: "DPoP proof htm does not match the request method"
        case .proofURLMismatch: "DPoP proof htu does not match the request URI"
        case .proofTooOld: "DPoP proof iat is too old"
        case .proofIssuedInFuture: "DPoP proof iat is in the future"
        case .proofAccessTokenMismatch: "DPoP proof ath does not match the access token"
        case .keyBindingMismatch: "DPoP proof key is not the key the token is bound to"
        case .crypto(let detail): "crypto failure: \(detail)"
        }
    }
}
