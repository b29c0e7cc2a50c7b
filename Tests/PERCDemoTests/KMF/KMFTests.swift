import Foundation
import NIOHTTP1
import PERC
import Testing

@testable import PERCDemo

/// The KMF on loopback with the real client: OAuth 2.0 + DPoP, key delivery, rosters, rekeying,
/// the end of a conference, TLS pinning and what the log never holds.
@Suite(.serialized) struct KMFTests {
    @Test func invitedUserGetsKeySSRCAndSignedRoster() async throws {
        try await KMFFixture.with { fixture in
            let store = KeyStore()
            let alice = try await fixture.loggedIn("alice", keyStore: store)

            let delivery = try await alice.fetchKey(conference: KMFFixture.conference)
            #expect(delivery.key.spi == 1)
            #expect(delivery.key.cipher == .aeskw128)
            #expect(delivery.key.keyID == "standup/1")
            #expect(store.liveKeyCount(usage: .ekt, scope: KeyScope(KMFFixture.conference)) == 1)

            let roster = try SignedRoster.verify(delivery.roster, key: fixture.kmf.rosterPublicKey)
            #expect(roster.conference == KMFFixture.conference)
            #expect(roster.identity(of: delivery.ssrc) == "alice")
            #expect(roster.participants.count == 1)
            #expect(roster.version == 2)
            #expect(roster.spi == 1)
            #expect(!roster.ended)
            // Not with the token key: the roster key is a key of its own.
            #expect(throws: AuthError.self) {
                try SignedRoster.verify(delivery.roster, key: fixture.kmf.tokenPublicKey)
            }

            // A second endpoint gets another SSRC; asking again keeps one's SSRC.
            let bob = try await fixture.loggedIn("bob")
            let bobs = try await bob.fetchKey(conference: KMFFixture.conference)
            #expect(bobs.ssrc != delivery.ssrc)
            let again = try await fixture.loggedIn("alice").fetchKey(
                conference: KMFFixture.conference)
            #expect(again.ssrc == delivery.ssrc)
            let current = try SignedRoster.verify(
                try await alice.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(current.version == 3)
            #expect(Set(current.participants.map(\.identity)) == ["alice", "bob"])
        }
    }

    @Test func keyResponseIsNotCachedAndItsHeaderImports() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let response = try await alice.sendKeyRequest()
            #expect(response.status == 200)
            #expect(response.headers["Cache-Control"] == ["no-store"])
            let value = try #require(response.headers[EncryptionKeyHeader.name].first)
            let imported = try KeyStore().importEKTKey(fromEncryptionKeyHeader: value)
            #expect(imported.spi == 1)
        }
    }

    @Test func wrongPasswordOrUnknownUserIsInvalidGrant() async throws {
        try await KMFFixture.with { fixture in
            let client = try fixture.client()
            await #expect(throws: KMFClientError.badRequest("invalid_grant")) {
                try await client.login(username: "alice", password: "bob-password")
            }
            await #expect(throws: KMFClientError.badRequest("invalid_grant")) {
                try await client.login(username: "mallory", password: "alice-password")
            }
            await #expect(throws: KMFClientError.notLoggedIn) {
                try await client.fetchKey(conference: KMFFixture.conference)
            }
        }
    }

    @Test func tokenEndpointRefusesMissingProofAndOtherGrants() async throws {
        try await KMFFixture.with { fixture in
            let client = try fixture.client()
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            let form = "grant_type=password&username=alice&password=alice-password"
            let noProof = try await client.send(
                method: "POST", path: "/oauth/token", headers: headers, body: Array(form.utf8))
            #expect(noProof.status == 400)
            #expect(
                String(decoding: noProof.body, as: UTF8.self) == #"{"error":"invalid_dpop_proof"}"#)

            let clientCredentials = try await client.send(
                method: "POST", path: "/oauth/token", headers: headers,
                body: Array("grant_type=client_credentials".utf8))
            #expect(clientCredentials.status == 400)
            #expect(
                String(decoding: clientCredentials.body, as: UTF8.self)
                    == #"{"error":"unsupported_grant_type"}"#)
        }
    }

    @Test func uninvitedIsForbiddenAndUnknownConferenceIsNotFound() async throws {
        try await KMFFixture.with(users: ["alice", "bob", "carol"]) { fixture in
            let carol = try await fixture.loggedIn("carol")
            await #expect(throws: KMFClientError.forbidden("not_invited")) {
                try await carol.fetchKey(conference: KMFFixture.conference)
            }
            await #expect(throws: KMFClientError.forbidden("not_invited")) {
                try await carol.fetchRoster(conference: KMFFixture.conference)
            }
            await #expect(throws: KMFClientError.notFound) {
                try await carol.fetchKey(conference: "no-such-conference")
            }
        }
    }

    @Test func missingGarbageOrForeignTokenIsInvalidToken() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")

            let missing = try await alice.sendKeyRequest(HTTPHeaders())
            #expect(missing.status == 401)
            #expect(missing.challengeError == "invalid_token")

            let garbage = try await alice.sendKeyRequest(
                alice.keyRequestHeaders(accessToken: "garbage"))
            #expect(garbage.status == 401)
            #expect(garbage.challengeError == "invalid_token")

            // Well formed, right issuer, audience and binding, but signed by another key.
            let dpopKey = try ES256PrivateKey()
            let client = try fixture.client(dpopKey: dpopKey)
            let forged = try AccessTokenIssuer(
                issuer: fixture.kmf.baseURL, audience: fixture.kmf.baseURL, key: ES256PrivateKey()
            ).issue(
                subject: "alice", boundTo: dpopKey.publicKey.thumbprint, lifetime: .seconds(60),
                now: Date())
            let foreign = try await client.sendKeyRequest(
                client.keyRequestHeaders(accessToken: forged))
            #expect(foreign.status == 401)
            #expect(foreign.challengeError == "invalid_token")

            // A DPoP-bound token presented as a bearer token (RFC 9449 §7.2).
            var bearer = HTTPHeaders()
            bearer.add(name: "Authorization", value: "Bearer \(try #require(alice.accessToken))")
            let asBearer = try await alice.sendKeyRequest(bearer)
            #expect(asBearer.challengeError == "invalid_token")
        }
    }

    @Test func expiredTokenIsInvalidToken() async throws {
        try await KMFFixture.with { fixture in
            try fixture.kmf.addUser(
                identity: "temp", password: "temp-password", tokenLifetime: .seconds(1))
            try fixture.kmf.invite(identity: "temp", to: KMFFixture.conference)
            let temp = try await fixture.loggedIn("temp")
            try await Task.sleep(for: .milliseconds(2100))
            await #expect(throws: KMFClientError.unauthorized("invalid_token")) {
                try await temp.fetchKey(conference: KMFFixture.conference)
            }
        }
    }

    @Test func replayedRequestIsInvalidProof() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let captured = try alice.keyRequestHeaders()
            let first = try await alice.sendKeyRequest(captured)
            #expect(first.status == 200)
            let replay = try await alice.sendKeyRequest(captured)
            #expect(replay.status == 401)
            #expect(replay.challengeError == "invalid_dpop_proof")
            #expect(replay.headers[EncryptionKeyHeader.name].isEmpty)
        }
    }

    @Test func proofForAnotherRequestIsInvalidProof() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let forRoster = try alice.authorizationHeaders(
                method: "GET", path: "/conferences/\(KMFFixture.conference)/roster")
            let response = try await alice.sendKeyRequest(forRoster)
            #expect(response.challengeError == "invalid_dpop_proof")
        }
    }

    @Test func stolenTokenWithAnotherKeysProofIsRefused() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let stolen = try #require(alice.accessToken)
            let mallory = try fixture.client()
            let response = try await mallory.sendKeyRequest(
                mallory.keyRequestHeaders(accessToken: stolen))
            #expect(response.status == 401)
            #expect(response.challengeError == "invalid_dpop_proof")
        }
    }

    @Test func malformedHeaderFaultImportsNothing() async throws {
        try await KMFFixture.with { fixture in
            let store = KeyStore()
            let alice = try await fixture.loggedIn("alice", keyStore: store)
            fixture.kmf.faults.malformEncryptionKeyHeader(for: "alice")
            await #expect(throws: KMFClientError.malformedKeyHeader(.invalidValue(.key))) {
                try await alice.fetchKey(conference: KMFFixture.conference)
            }
            #expect(store.liveKeyCount == 0)
            // Nothing was recorded: alice did not join (a rekey will not wait for her).
            let roster = try SignedRoster.verify(
                try await alice.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(roster.participants.isEmpty)
            // Once only: the next response is sound.
            #expect(try await alice.fetchKey(conference: KMFFixture.conference).key.spi == 1)
        }
    }

    @Test func impostorServerIsRefusedAtTLS() async throws {
        try await KMFFixture.with { genuine in
            try await KMFFixture.with { impostor in
                #expect(genuine.kmf.certificateDER != impostor.kmf.certificateDER)
                let client = try genuine.client(port: impostor.kmf.port)
                await #expect {
                    try await client.login(username: "alice", password: "alice-password")
                } throws: { error in
                    guard case .tls = error as? KMFClientError else { return false }
                    return true
                }
                // No request reached the impostor: it never saw the password.
                #expect(!impostor.log.text.contains("/oauth/token"))
            }
        }
    }

    @Test func leaveRekeysTheConference() async throws {
        try await KMFFixture.with(
            configuration: KMF.Configuration(
                rekeyLead: .milliseconds(300), keyOverlap: .milliseconds(200))
        ) { fixture in
            let alice = try await fixture.loggedIn("alice")
            let bobStore = KeyStore()
            let bob = try await fixture.loggedIn("bob", keyStore: bobStore)
            _ = try await alice.fetchKey(conference: KMFFixture.conference)
            let before = try SignedRoster.verify(
                try await bob.fetchKey(conference: KMFFixture.conference).roster,
                key: fixture.kmf.rosterPublicKey)

            try await alice.leave(conference: KMFFixture.conference)
            let after = try SignedRoster.verify(
                try await bob.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(after.version == before.version + 1)
            #expect(after.spi == before.spi + 1)
            #expect(after.participants.map(\.identity) == ["bob"])
            // Phase one: the new key is named, the switch waits until bob holds it.
            #expect(after.activeFrom == Roster.switchNotScheduled)
            // The previous key stays through the overlap, then is revoked.
            #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 2)
            let fetched = Int(Date().timeIntervalSince1970 * 1000)
            let rekeyed = try await bob.fetchKey(conference: KMFFixture.conference)
            #expect(rekeyed.key.spi == after.spi)
            #expect(bobStore.liveKeyCount(usage: .ekt, scope: KeyScope(KMFFixture.conference)) == 2)
            // Phase two: every participant fetched it, so the switch is scheduled.
            let scheduled = try SignedRoster.verify(
                rekeyed.roster, key: fixture.kmf.rosterPublicKey)
            #expect(scheduled.version == after.version + 1)
            #expect(scheduled.spi == after.spi)
            #expect(scheduled.activeFrom >= fetched)
            try await Task.sleep(for: .milliseconds(900))
            #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 1)
        }
    }

    @Test func switchIsScheduledAfterTheLeadEvenIfAParticipantNeverFetches() async throws {
        try await KMFFixture.with(configuration: KMF.Configuration(rekeyLead: .milliseconds(300))) {
            fixture in
            let alice = try await fixture.loggedIn("alice")
            let bob = try await fixture.loggedIn("bob")
            _ = try await alice.fetchKey(conference: KMFFixture.conference)
            _ = try await bob.fetchKey(conference: KMFFixture.conference)
            try await alice.leave(conference: KMFFixture.conference)
            let pending = try SignedRoster.verify(
                try await bob.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(pending.activeFrom == Roster.switchNotScheduled)
            try await Task.sleep(for: .milliseconds(600))
            let scheduled = try SignedRoster.verify(
                try await bob.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(scheduled.version == pending.version + 1)
            #expect(scheduled.spi == pending.spi)
            #expect(scheduled.activeFrom > 0)
        }
    }

    @Test func removedParticipantIsRekeyedOutAndRefused() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let bob = try await fixture.loggedIn("bob")
            _ = try await alice.fetchKey(conference: KMFFixture.conference)
            _ = try await bob.fetchKey(conference: KMFFixture.conference)
            try fixture.kmf.remove(identity: "alice", from: KMFFixture.conference)
            let roster = try SignedRoster.verify(
                try await bob.fetchRoster(conference: KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(roster.spi == 2)
            #expect(roster.participants.map(\.identity) == ["bob"])
            await #expect(throws: KMFClientError.forbidden("not_invited")) {
                try await alice.fetchKey(conference: KMFFixture.conference)
            }
        }
    }

    @Test func endConferenceWipesKeysAndRefusesRequests() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            _ = try await alice.fetchKey(conference: KMFFixture.conference)
            #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 1)

            let final = try SignedRoster.verify(
                try fixture.kmf.endConference(KMFFixture.conference),
                key: fixture.kmf.rosterPublicKey)
            #expect(final.ended)
            #expect(final.participants.isEmpty)
            #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 0)
            await #expect(throws: KMFClientError.forbidden("conference_ended")) {
                try await alice.fetchKey(conference: KMFFixture.conference)
            }
            await #expect(throws: KMFClientError.forbidden("conference_ended")) {
                try await alice.fetchRoster(conference: KMFFixture.conference)
            }
            #expect(throws: KMFError.conferenceEnded(KMFFixture.conference)) {
                try fixture.kmf.invite(identity: "carol", to: KMFFixture.conference)
            }
        }
    }

    @Test func stopWipesEveryKey() async throws {
        let fixture = try await KMFFixture.start()
        #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 1)
        await fixture.kmf.stop()
        #expect(fixture.kmf.liveEKTKeyCount(conference: KMFFixture.conference) == 0)
        let client = try fixture.client()
        await #expect(throws: KMFClientError.self) {
            try await client.login(username: "alice", password: "alice-password")
        }
    }

    @Test func restartOnTheSameDatabaseEndsConferencesWhoseKeysAreGone() async throws {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("kmf-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await KMFFixture.with(configuration: KMF.Configuration(databasePath: path)) { _ in }
        let log = LogCapture()
        let kmf = try await KMF.start(
            configuration: KMF.Configuration(databasePath: path), logger: log.logger)
        let store = KeyStore()
        let alice = try KMFClient(
            port: kmf.port, pinnedCertificateDER: kmf.certificateDER,
            dpopKey: ES256PrivateKey(), keyStore: store)
        // The directory survives; the conference is over, its key died with the first run.
        try await alice.login(username: "alice", password: "alice-password")
        await #expect(throws: KMFClientError.forbidden("conference_ended")) {
            try await alice.fetchKey(conference: KMFFixture.conference)
        }
        #expect(log.text.contains("left active by an earlier run"))
        await kmf.stop()
    }

    @Test func logNeverHoldsKeysTokensProofsOrPasswords() async throws {
        try await KMFFixture.with { fixture in
            let alice = try await fixture.loggedIn("alice")
            let headers = try alice.keyRequestHeaders()
            let response = try await alice.sendKeyRequest(headers)
            let value = try #require(response.headers[EncryptionKeyHeader.name].first)
            let keyText = try #require(encryptionKeyParameter("key", in: value))
            let saltText = try #require(encryptionKeyParameter("salt", in: value))
            let key = try #require(Base64URL.decode(keyText))
            #expect(key.count == 16)
            _ = try await alice.leave(conference: KMFFixture.conference)

            let log = fixture.log.text
            #expect(log.contains("path=/conferences/standup/key"))
            #expect(log.contains("identity=alice"))
            #expect(log.contains("status=200"))
            let token = try #require(alice.accessToken)
            let proof = try #require(headers["DPoP"].first)
            let hex = key.map { String(format: "%02x", $0) }.joined()
            for secret in [
                keyText, saltText, hex, hex.uppercased(), token, proof, "alice-password",
            ] {
                #expect(!log.contains(secret))
            }
            // The token's signature alone, and the raw key octets.
            #expect(!log.contains(try #require(token.split(separator: ".").last)))
            let bytes = Array(log.utf8)
            #expect(!bytes.indices.contains { bytes[$0...].starts(with: key) })
        }
    }
}
