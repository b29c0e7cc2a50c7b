import Foundation
import PERC

/// Issues DPoP-bound JWT access tokens (RFC 9068, RFC 9449 §6): the authorization server side.
public struct AccessTokenIssuer: Sendable {
    /// The JWS `typ` of an access token (RFC 9068 §2.1).
    static let type = "at+jwt"

    private let issuer: String
    private let audience: String
    private let key: ES256PrivateKey

    /// An issuer naming itself `issuer`, issuing tokens for `audience`, signing with `key`.
    public init(issuer: String, audience: String, key: ES256PrivateKey) {
        self.issuer = issuer
        self.audience = audience
        self.key = key
    }

    /// The key resource servers verify tokens with.
    public var publicKey: ES256PublicKey { key.publicKey }

    /// A token for `subject`, bound to the DPoP key with thumbprint `jkt`, valid from `now` for
    /// `lifetime`, with a random `jti`.
    public func issue(subject: String, boundTo jkt: String, lifetime: Duration, now: Date)
        throws(AuthError) -> String
    {
        let issuedAt = NumericDate.seconds(now)
        let claims = AccessTokenClaims(
            iss: issuer, sub: subject, aud: audience, iat: issuedAt,
            exp: issuedAt + NumericDate.seconds(lifetime), jti: try DemoCrypto.randomIdentifier(),
            cnf: Confirmation(jkt: jkt))
        let header = JWSHeader(typ: Self.type, kid: key.publicKey.thumbprint)
        return try JWS.sign(header: header, payload: claims, key: key)
    }
}
