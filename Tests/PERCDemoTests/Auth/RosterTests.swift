import PERC
import Testing

@testable import PERCDemo

@Suite struct RosterTests {
    let roster = Roster(
        conference: "standup", version: 3, spi: 7, activeFrom: 1_700_000_000_300, ended: false,
        participants: [
            Roster.Participant(identity: "alice", ssrc: 0x1111_1111),
            Roster.Participant(identity: "bob", ssrc: 0xDEAD_BEEF),
        ])

    @Test func signVerifyRoundTrip() throws {
        let key = try ES256PrivateKey()
        let jws = try SignedRoster.sign(roster, key: key)
        #expect(try JWS.unverifiedHeader(jws).typ == "perc-roster+jwt")
        #expect(try SignedRoster.verify(jws, key: key.publicKey) == roster)
        let object = try AuthTestSupport.payloadObject(jws)
        #expect(object["active_from"] as? Int == 1_700_000_000_300)
        #expect(object["activeFrom"] == nil)
        #expect(roster.identity(of: 0xDEAD_BEEF) == "bob")
        #expect(roster.identity(of: 0x2222_2222) == nil)
    }

    @Test func forgedSignatureRefused() throws {
        let key = try ES256PrivateKey()
        let jws = try SignedRoster.sign(roster, key: key)
        let signature = jws.split(separator: ".")[2]
        var bytes = try #require(Base64URL.decode(signature))
        bytes[10] ^= 0x01
        let forged = AuthTestSupport.replacingPart(2, of: jws, with: Base64URL.encode(bytes))
        #expect(throws: AuthError.badSignature) {
            try SignedRoster.verify(forged, key: key.publicKey)
        }
    }

    @Test func modifiedPayloadRefused() throws {
        let key = try ES256PrivateKey()
        let jws = try SignedRoster.sign(roster, key: key)
        let mallory = Roster(
            conference: roster.conference, version: roster.version, spi: roster.spi,
            activeFrom: roster.activeFrom, ended: false,
            participants: roster.participants + [Roster.Participant(identity: "mallory", ssrc: 9)])
        let otherPayload = try SignedRoster.sign(mallory, key: try ES256PrivateKey())
            .split(separator: ".")[1]
        let spliced = AuthTestSupport.replacingPart(1, of: jws, with: String(otherPayload))
        #expect(throws: AuthError.badSignature) {
            try SignedRoster.verify(spliced, key: key.publicKey)
        }
    }

    @Test func wrongKeyAndTypeRefused() throws {
        let key = try ES256PrivateKey()
        let jws = try SignedRoster.sign(roster, key: key)
        #expect(throws: AuthError.badSignature) {
            try SignedRoster.verify(jws, key: try ES256PrivateKey().publicKey)
        }
        let token = try AccessTokenIssuer(issuer: "kmf", audience: "kmf", key: key)
            .issue(subject: "a", boundTo: "j", lifetime: .seconds(60), now: AuthTestSupport.now)
        #expect(throws: AuthError.wrongType) { try SignedRoster.verify(token, key: key.publicKey) }
    }
}
