import Foundation

/// Validates JWT access tokens (RFC 9068 §4): the resource server side. DPoP binding (`cnf.jkt`)
/// is checked by `DPoPVerifier` with the returned claims.
public struct AccessTokenValidator: Sendable {
    private let issuer: String
    private let audience: String
    private let key: ES256PublicKey
    private let leeway: Int

    /// A validator accepting tokens from `issuer` for `audience` signed by `key`, tolerating
    /// `leeway` of clock skew on `exp` and `iat`.
    public init(
        issuer: String, audience: String, key: ES256PublicKey, leeway: Duration = .seconds(0)
    ) {
        self.issuer = issuer
        self.audience = audience
        self.key = key
        self.leeway = NumericDate.seconds(leeway)
    }

    /// The claims of `token` if its signature, `typ`, `iss`, `aud`, `exp` and `iat` are valid
    /// at `now`.
    public func validate(_ token: String, now: Date) throws(AuthError) -> AccessTokenClaims {
        let (header, payload) = try JWS.verify(token, key: key)
        // RFC 9068 §4: typ must be "at+jwt" (or its full media type form).
        guard header.typ == AccessTokenIssuer.type || header.typ == "application/at+jwt" else {
            throw .wrongType
        }
        let claims = try JSON.decode(AccessTokenClaims.self, from: payload, what: "token claims")
        guard claims.iss == issuer else { throw .wrongIssuer }  // RFC 9068 §4 step 3
        guard claims.aud == audience else { throw .wrongAudience }  // RFC 9068 §4 step 4
        let seconds = NumericDate.seconds(now)
        // RFC 7519 §4.1.4: the current time must be before exp.
        guard seconds - leeway < claims.exp else { throw .expired }
        guard claims.iat <= seconds + leeway else { throw .notYetValid }
        return claims
    }
}
