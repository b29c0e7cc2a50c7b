import Foundation
import PERC

/// Checks DPoP proofs (RFC 9449 §4.3) and remembers each accepted proof's `jti` until it would be
/// too old anyway, refusing replays (RFC 9449 §11.1).
public final class DPoPVerifier: Sendable {
    private let maxAge: Int
    private let futureSkew: Int
    /// Accepted `jti` → the second after which the proof is too old and the entry can go.
    private let seen = Locked([String: Int]())

    /// A verifier accepting proofs issued at most `maxAge` ago and at most `futureSkew` ahead of
    /// this clock (RFC 9449 §4.3 step 11, §11.1).
    public init(maxAge: Duration = .seconds(60), futureSkew: Duration = .seconds(5)) {
        self.maxAge = NumericDate.seconds(maxAge)
        self.futureSkew = NumericDate.seconds(futureSkew)
    }

    /// Returns the proof key's thumbprint. `accessToken` non-nil → checks `ath`; `boundTo`
    /// non-nil → jkt must equal it.
    public func verify(
        _ proof: String, method: String, url: String, accessToken: String?, boundTo jkt: String?,
        now: Date
    ) throws(AuthError) -> String {
        // Steps 2, 4, 7: a JWS whose typ is dpop+jwt, carrying a public jwk (JWK decoding refuses
        // private members).
        let header = try JWS.unverifiedHeader(proof)
        guard header.typ == DPoPProof.type else { throw .wrongType }
        guard let jwk = header.jwk else { throw .malformed("DPoP proof header has no jwk") }
        // Steps 5, 6: alg ES256 and the signature verifies with that jwk.
        let key = try ES256PublicKey(jwk: jwk)
        let payload = try JWS.verify(proof, key: key).payload
        // Step 3: the required claims are present.
        let claims = try JSON.decode(DPoPClaims.self, from: payload, what: "DPoP proof claims")
        guard claims.htm == method else { throw .proofMethodMismatch }  // step 8
        guard claims.htu == DPoPProof.targetURI(url) else { throw .proofURLMismatch }  // step 9
        let seconds = NumericDate.seconds(now)
        guard claims.iat >= seconds - maxAge else { throw .proofTooOld }  // step 11
        guard claims.iat <= seconds + futureSkew else { throw .proofIssuedInFuture }
        if let accessToken {  // step 12
            let expected = try DPoPProof.accessTokenHash(accessToken)
            guard claims.ath == expected else { throw .proofAccessTokenMismatch }
        }
        // RFC 9449 §6.1 / §7.1: the proof key must be the key the access token is bound to.
        if let jkt, key.thumbprint != jkt { throw .keyBindingMismatch }
        try remember(claims.jti, issuedAt: claims.iat, now: seconds)
        return key.thumbprint
    }

    /// Records `jti` (RFC 9449 §11.1), refusing one already seen, and drops entries whose proofs
    /// are now too old to be accepted anyway.
    private func remember(_ jti: String, issuedAt: Int, now: Int) throws(AuthError) {
        let fresh = seen.withLock { seen in
            seen = seen.filter { $0.value >= now }
            guard seen[jti] == nil else { return false }
            seen[jti] = issuedAt + maxAge
            return true
        }
        guard fresh else { throw .proofReplayed }
    }
}
