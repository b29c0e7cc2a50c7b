import Foundation
import PERC
import Testing

@testable import PERCDemo

@Suite struct AccessTokenTests {
    let issuerName = "https://127.0.0.1:8443"
    let now = AuthTestSupport.now
    let key: ES256PrivateKey
    let issuer: AccessTokenIssuer
    let validator: AccessTokenValidator

    init() throws {
        key = try ES256PrivateKey()
        issuer = AccessTokenIssuer(issuer: issuerName, audience: issuerName, key: key)
        validator = AccessTokenValidator(
            issuer: issuerName, audience: issuerName, key: issuer.publicKey)
    }

    @Test func issuedTokenValidates() throws {
        let token = try issuer.issue(
            subject: "alice", boundTo: "jkt-A", lifetime: .seconds(300), now: now)
        #expect(try JWS.unverifiedHeader(token).typ == "at+jwt")
        let claims = try validator.validate(token, now: now.addingTimeInterval(299))
        #expect(claims.iss == issuerName && claims.aud == issuerName && claims.sub == "alice")
        #expect(claims.iat == 1_700_000_000 && claims.exp == 1_700_000_300)
        #expect(claims.cnf == Confirmation(jkt: "jkt-A"))
        let other = try issuer.issue(
            subject: "alice", boundTo: "jkt-A", lifetime: .seconds(300), now: now)
        #expect(try validator.validate(other, now: now).jti != claims.jti)
    }

    @Test func expiredRefused() throws {
        let token = try issuer.issue(subject: "a", boundTo: "j", lifetime: .seconds(60), now: now)
        #expect(throws: AuthError.expired) {
            try validator.validate(token, now: now.addingTimeInterval(60))
        }
        let lenient = AccessTokenValidator(
            issuer: issuerName, audience: issuerName, key: issuer.publicKey, leeway: .seconds(5))
        #expect(try lenient.validate(token, now: now.addingTimeInterval(64)).sub == "a")
    }

    @Test func notYetValidRefused() throws {
        let token = try issuer.issue(
            subject: "a", boundTo: "j", lifetime: .seconds(60), now: now.addingTimeInterval(30))
        #expect(throws: AuthError.notYetValid) { try validator.validate(token, now: now) }
    }

    @Test func wrongAudienceAndIssuerRefused() throws {
        let token = try issuer.issue(subject: "a", boundTo: "j", lifetime: .seconds(60), now: now)
        let otherAudience = AccessTokenValidator(
            issuer: issuerName, audience: "https://elsewhere", key: issuer.publicKey)
        #expect(throws: AuthError.wrongAudience) { try otherAudience.validate(token, now: now) }
        let otherIssuer = AccessTokenValidator(
            issuer: "https://elsewhere", audience: issuerName, key: issuer.publicKey)
        #expect(throws: AuthError.wrongIssuer) { try otherIssuer.validate(token, now: now) }
    }

    @Test func signedByAnotherKeyRefused() throws {
        let rogue = AccessTokenIssuer(
            issuer: issuerName, audience: issuerName, key: try ES256PrivateKey())
        let token = try rogue.issue(subject: "a", boundTo: "j", lifetime: .seconds(60), now: now)
        #expect(throws: AuthError.badSignature) { try validator.validate(token, now: now) }
    }

    @Test func tamperedClaimsRefused() throws {
        let token = try issuer.issue(
            subject: "alice", boundTo: "j", lifetime: .seconds(60), now: now)
        var claims = try AuthTestSupport.payloadObject(token)
        claims["sub"] = "admin"
        let forgedPayload = Base64URL.encode(
            try JSONSerialization.data(withJSONObject: claims, options: .sortedKeys))
        let forged = AuthTestSupport.replacingPart(1, of: token, with: forgedPayload)
        #expect(throws: AuthError.badSignature) { try validator.validate(forged, now: now) }
    }

    @Test func otherTypesRefused() throws {
        let roster = Roster(
            conference: "c", version: 1, spi: 1, activeFrom: 0, ended: false, participants: [])
        let signed = try SignedRoster.sign(roster, key: key)
        #expect(throws: AuthError.wrongType) { try validator.validate(signed, now: now) }
    }
}
