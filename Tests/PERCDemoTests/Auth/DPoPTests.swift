import Foundation
import PERC
import Testing

@testable import PERCDemo

@Suite struct DPoPTests {
    let url = "https://127.0.0.1:8443/conferences/c1/key"
    let now = AuthTestSupport.now
    let key: ES256PrivateKey
    let verifier = DPoPVerifier(maxAge: .seconds(60))

    init() throws {
        key = try ES256PrivateKey()
    }

    private func proof(
        method: String = "POST", url: String? = nil, accessToken: String? = nil,
        at time: Date? = nil
    ) throws -> String {
        try DPoPProof.make(
            key: key, method: method, url: url ?? self.url, accessToken: accessToken,
            now: time ?? now)
    }

    private func verify(
        _ proof: String, method: String = "POST", url: String? = nil,
        accessToken: String? = nil, boundTo jkt: String? = nil, at time: Date? = nil
    ) throws -> String {
        try verifier.verify(
            proof, method: method, url: url ?? self.url, accessToken: accessToken, boundTo: jkt,
            now: time ?? now)
    }

    @Test func validProofReturnsThumbprint() throws {
        let made = try proof()
        let header = try JWS.unverifiedHeader(made)
        #expect(header.typ == "dpop+jwt" && header.alg == "ES256")
        #expect(header.jwk == key.publicKey.jwk)
        #expect(try verify(made) == key.publicKey.thumbprint)
    }

    @Test func replayedJTIRefused() throws {
        let made = try proof()
        _ = try verify(made)
        #expect(throws: AuthError.proofReplayed) { try verify(made) }
        #expect(throws: AuthError.proofReplayed) {
            try verify(made, at: now.addingTimeInterval(30))
        }
    }

    @Test func concurrentReplayAcceptedOnce() async throws {
        let made = try proof()
        let (verifier, url, now) = (verifier, url, now)
        let accepted = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    (try? verifier.verify(
                        made, method: "POST", url: url, accessToken: nil, boundTo: nil, now: now))
                        != nil
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(accepted == 1)
    }

    @Test func methodAndURLMustMatch() throws {
        #expect(throws: AuthError.proofMethodMismatch) { try verify(proof(), method: "GET") }
        #expect(throws: AuthError.proofMethodMismatch) { try verify(proof(), method: "post") }
        #expect(throws: AuthError.proofURLMismatch) {
            try verify(proof(), url: "https://127.0.0.1:8443/conferences/c2/key")
        }
        #expect(throws: AuthError.proofURLMismatch) {
            try verify(proof(), url: "https://127.0.0.1:8444/conferences/c1/key")
        }
        // RFC 9449 §4.3 step 9: query and fragment are ignored on both sides.
        let withQuery = try proof(url: url + "?x=1#f")
        #expect(try AuthTestSupport.payloadObject(withQuery)["htu"] as? String == url)
        #expect(try verify(withQuery, url: url + "?y=2") == key.publicKey.thumbprint)
    }

    @Test func iatWindowEnforced() throws {
        #expect(throws: AuthError.proofTooOld) {
            try verify(proof(), at: now.addingTimeInterval(61))
        }
        #expect(throws: AuthError.proofIssuedInFuture) {
            try verify(proof(at: now.addingTimeInterval(10)))
        }
        #expect(try verify(proof(at: now.addingTimeInterval(-60))) == key.publicKey.thumbprint)
        #expect(try verify(proof(at: now.addingTimeInterval(5))) == key.publicKey.thumbprint)
    }

    @Test func accessTokenHashChecked() throws {
        let token = "token-A"
        let made = try proof(accessToken: token)
        let claims = try AuthTestSupport.payloadObject(made)
        // RFC 9449 §4.2: ath = base64url(SHA-256(ASCII(token))), computed here independently.
        #expect(claims["ath"] as? String == Base64URL.encode(try DemoCrypto.sha256(token.utf8)))
        #expect(throws: AuthError.proofAccessTokenMismatch) {
            try verify(made, accessToken: "token-B")
        }
        #expect(throws: AuthError.proofAccessTokenMismatch) {
            try verify(proof(), accessToken: token)
        }
        #expect(try verify(made, accessToken: token) == key.publicKey.thumbprint)
    }

    @Test func tokenBoundToAnotherKeyRefused() throws {
        let issuerKey = try ES256PrivateKey()
        let issuer = AccessTokenIssuer(issuer: "kmf", audience: "kmf", key: issuerKey)
        let validator = AccessTokenValidator(issuer: "kmf", audience: "kmf", key: issuer.publicKey)
        let keyB = try ES256PrivateKey()
        let token = try issuer.issue(
            subject: "alice", boundTo: key.publicKey.thumbprint, lifetime: .seconds(60), now: now)
        let claims = try validator.validate(token, now: now)
        let proofByB = try DPoPProof.make(
            key: keyB, method: "GET", url: url, accessToken: token, now: now)
        #expect(throws: AuthError.keyBindingMismatch) {
            try verify(proofByB, method: "GET", accessToken: token, boundTo: claims.cnf.jkt)
        }
        let proofByA = try proof(method: "GET", accessToken: token)
        #expect(
            try verify(proofByA, method: "GET", accessToken: token, boundTo: claims.cnf.jkt)
                == claims.cnf.jkt)
    }

    @Test func headerKeyProblemsRefused() throws {
        let jwk = key.publicKey.jwk
        let publicJWK = #"{"crv":"P-256","kty":"EC","x":"\#(jwk.x)","y":"\#(jwk.y)"}"#
        // The private member's value does not matter: its presence alone is refused.
        let privateJWK = #"{"crv":"P-256","d":"AAAA","kty":"EC","x":"\#(jwk.x)","y":"\#(jwk.y)"}"#
        let claims = #"{"htm":"POST","htu":"\#(url)","iat":1700000000,"jti":"j1"}"#
        func signed(_ header: String, payload: String = claims, by signer: ES256PrivateKey? = nil)
            throws -> String
        {
            try AuthTestSupport.compact(header: header, payload: payload, key: signer ?? key)
        }
        #expect(throws: AuthError.malformed("DPoP proof header has no jwk")) {
            try verify(signed(#"{"alg":"ES256","typ":"dpop+jwt"}"#))
        }
        #expect(throws: AuthError.self) {
            try verify(signed(#"{"alg":"ES256","jwk":\#(privateJWK),"typ":"dpop+jwt"}"#))
        }
        #expect(throws: AuthError.badSignature) {
            try verify(
                signed(
                    #"{"alg":"ES256","jwk":\#(publicJWK),"typ":"dpop+jwt"}"#,
                    by: try ES256PrivateKey()))
        }
        #expect(throws: AuthError.wrongType) {
            try verify(signed(#"{"alg":"ES256","jwk":\#(publicJWK),"typ":"JWT"}"#))
        }
        #expect(throws: AuthError.self) {
            try verify(
                signed(
                    #"{"alg":"ES256","jwk":\#(publicJWK),"typ":"dpop+jwt"}"#,
                    payload: #"{"htm":"POST","htu":"\#(url)","iat":1700000000}"#))
        }
        #expect(
            try verify(signed(#"{"alg":"ES256","jwk":\#(publicJWK),"typ":"dpop+jwt"}"#))
                == key.publicKey.thumbprint)
    }
}
