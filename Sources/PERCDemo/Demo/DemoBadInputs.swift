import Foundation
import NIOHTTP1
import PERC

/// The bad-input phase of `perc demo`: each attack is made for real against the running KMF,
/// participants and distributor, and what refused it is recorded.
struct DemoBadInputs: Sendable {
    let world: DemoWorld

    /// The outsider: a real enterprise account that is not invited.
    static let outsider = "mallory@example.com"
    /// An invited account whose policy gives it 1-second access tokens.
    static let shortLived = "temp@example.com"
    /// An invited account (a meeting-room device) that receives the malformed header: an account
    /// of its own, so that the fault cannot hit a participant's own key request.
    static let kiosk = "kiosk@example.com"

    func run() async -> [DemoReport.BadInput] {
        var results: [DemoReport.BadInput] = []
        let password = DemoWorld.randomPassword()
        do {
            try world.kmf.addUser(identity: Self.outsider, password: password)
            try world.kmf.addUser(
                identity: Self.shortLived, password: password, tokenLifetime: .seconds(1))
            try world.kmf.invite(identity: Self.shortLived, to: world.conference)
            try world.kmf.addUser(identity: Self.kiosk, password: password)
            try world.kmf.invite(identity: Self.kiosk, to: world.conference)
        } catch {
            return [
                .init(name: "setup", expected: "accounts", observed: "\(error)", refused: false)
            ]
        }
        guard let victim = world.participants.first, let malloryKey = try? ES256PrivateKey(),
            let mallory = try? makeClient(key: malloryKey),
            let temp = try? makeClient(key: ES256PrivateKey())
        else {
            return [.init(name: "setup", expected: "clients", observed: "none", refused: false)]
        }
        let keyPath = "/conferences/\(world.conference)/key"
        let rosterPath = "/conferences/\(world.conference)/roster"

        results.append(
            await expect(
                "wrong password", "400 invalid_grant", KMFClientError.badRequest("invalid_grant")
            ) { try await mallory.login(username: Self.outsider, password: "not-the-password") })
        results.append(
            await expect("uninvited identity", "403 not_invited", .forbidden("not_invited")) {
                try await mallory.login(username: Self.outsider, password: password)
                _ = try await mallory.fetchKey(conference: world.conference)
            })
        results.append(
            await status(
                "garbage access token", "401 invalid_token", 401, "invalid_token", client: mallory,
                path: keyPath
            ) {
                try mallory.authorizationHeaders(
                    method: "POST", path: keyPath, accessToken: "x.y.z")
            })
        results.append(
            await status(
                "token signed by another key", "401 invalid_token", 401, "invalid_token",
                client: mallory, path: keyPath
            ) {
                // A well-formed token for an invited identity, bound to mallory's own DPoP key,
                // signed by a key that is not the KMF's.
                let forged = try AccessTokenIssuer(
                    issuer: world.kmf.baseURL, audience: world.kmf.baseURL, key: ES256PrivateKey()
                ).issue(
                    subject: victim.identity, boundTo: malloryKey.publicKey.thumbprint,
                    lifetime: .seconds(60), now: Date())
                return try mallory.authorizationHeaders(
                    method: "POST", path: keyPath, accessToken: forged)
            })
        results.append(
            await status(
                "stolen token presented from another endpoint key", "401 invalid_dpop_proof", 401,
                "invalid_dpop_proof", client: mallory, path: keyPath
            ) {
                try mallory.authorizationHeaders(
                    method: "POST", path: keyPath, accessToken: victim.client.accessToken ?? "")
            })
        results.append(await replay(victim: victim, path: rosterPath))
        results.append(
            await expect(
                "expired token (1-second account)", "401 invalid_token",
                .unauthorized("invalid_token")
            ) {
                try await temp.login(username: Self.shortLived, password: password)
                try await Task.sleep(for: .milliseconds(2100))
                _ = try await temp.fetchRoster(conference: world.conference)
            })
        results.append(await malformedHeader(password: password))
        results.append(contentsOf: await forgedRosters(victim: victim))
        results.append(await tamperingDistributor(victim: victim))
        results.append(await impostorKMF())
        return results
    }

    // MARK: The attacks

    /// A captured request (token and DPoP proof) sent a second time.
    private func replay(victim: DemoParticipant, path: String) async -> DemoReport.BadInput {
        let name = "replayed request (same token and DPoP proof)"
        do {
            let headers = try victim.client.authorizationHeaders(method: "GET", path: path)
            let first = try await victim.client.send(method: "GET", path: path, headers: headers)
            let second = try await victim.client.send(method: "GET", path: path, headers: headers)
            return .init(
                name: name, expected: "first 200, replay 401 invalid_dpop_proof",
                observed: "first \(first.status), replay \(describe(second))",
                refused: first.status == 200 && second.status == 401
                    && describe(second).contains("invalid_dpop_proof"))
        } catch {
            return .init(name: name, expected: "401", observed: "\(error)", refused: false)
        }
    }

    /// The KMF answers with a broken `Encryption-Key` header: the endpoint refuses it and
    /// imports nothing.
    private func malformedHeader(password: String) async -> DemoReport.BadInput {
        let name = "malformed Encryption-Key header"
        let store = KeyStore()
        defer { store.close() }
        let client: KMFClient
        do {
            client = try makeClient(key: ES256PrivateKey(), store: store)
        } catch {
            return .init(name: name, expected: "setup", observed: "\(error)", refused: false)
        }
        world.kmf.faults.malformEncryptionKeyHeader(for: Self.kiosk)
        var result = await expect(name, "refused, nothing imported", nil) {
            try await client.login(username: Self.kiosk, password: password)
            _ = try await client.fetchKey(conference: world.conference)
        }
        let imported = store.liveKeyCount
        result.refused =
            result.refused && result.observed.contains("Encryption-Key") && imported == 0
        result.observed += ", \(imported) keys imported"
        return result
    }

    /// Rosters an untrusted conference app could hand every participant: one signed by another
    /// key, one with its payload changed, and a genuine one that a newer version superseded.
    private func forgedRosters(victim: DemoParticipant) async -> [DemoReport.BadInput] {
        let participants = world.participants.filter { !$0.hasEnded }
        let forged = Roster(
            conference: world.conference, version: 1_000, spi: 0xBAD, activeFrom: 0,
            ended: false, participants: [.init(identity: Self.outsider, ssrc: 0xBAD0_BAD0)])
        var attempts: [(String, String?)] = [
            (
                "forged roster (signed by another key)",
                try? SignedRoster.sign(forged, key: ES256PrivateKey())
            )
        ]
        // A genuine roster whose payload is swapped for the forged one, signature kept.
        if let genuine = try? await victim.client.fetchRoster(conference: world.conference),
            let other = attempts[0].1
        {
            let parts = genuine.split(separator: ".")
            let forgedParts = other.split(separator: ".")
            if parts.count == 3, forgedParts.count == 3 {
                attempts.append(
                    (
                        "tampered roster (payload changed, KMF signature kept)",
                        "\(parts[0]).\(forgedParts[1]).\(parts[2])"
                    ))
            }
        }
        // A genuine roster, superseded since (the victim's first): a rollback.
        attempts.append(
            ("replayed older roster (KMF signature, earlier version)", victim.firstRosterJWS))
        return attempts.map { name, jws in
            let refusals = participants.filter { participant in
                guard let jws else { return false }
                return (try? participant.accept(rosterJWS: jws)) == nil
            }.count
            return .init(
                name: name, expected: "refused by all \(participants.count) participants",
                observed: "refused by \(refusals)",
                refused: jws != nil && refusals == participants.count)
        }
    }

    /// The distributor alters the inner ciphertext of 5 packets it forwards to `victim`.
    private func tamperingDistributor(victim: DemoParticipant) async -> DemoReport.BadInput {
        let count = 5
        let refusals = { victim.snapshot.counters?.refused(.authentication) ?? 0 }
        let before = refusals()
        try? world.distributor.tamperNext(count: count, toward: victim.name)
        let deadline = ContinuousClock.now + .seconds(3)
        while ContinuousClock.now < deadline, refusals() - before < count {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let refused = refusals() - before
        return .init(
            name: "distributor tampers with \(count) packets to \(victim.name)",
            expected: "\(count) refused (inner tag)",
            observed: "\(refused) refused (authentication)", refused: refused == count)
    }

    /// A server with another certificate on another port, reached by a client that pins the
    /// real KMF's certificate.
    private func impostorKMF() async -> DemoReport.BadInput {
        let name = "impostor KMF (another certificate)"
        let impostor: KMF
        do {
            impostor = try await KMF.start(group: world.group, logger: world.logger)
        } catch {
            return .init(name: name, expected: "TLS refused", observed: "\(error)", refused: false)
        }
        var result = await expect(name, "TLS refused", nil) {
            let client = try KMFClient(
                port: impostor.port, pinnedCertificateDER: world.kmf.certificateDER,
                dpopKey: ES256PrivateKey(), keyStore: KeyStore(), group: world.group)
            try await client.login(username: Self.outsider, password: "x")
        }
        await impostor.stop()
        result.refused = result.refused && result.observed.contains("TLS")
        return result
    }

    // MARK: Helpers

    private func makeClient(key: ES256PrivateKey, store: KeyStore = KeyStore()) throws -> KMFClient
    {
        try KMFClient(
            port: world.kmf.port, pinnedCertificateDER: world.kmf.certificateDER,
            dpopKey: key, keyStore: store, group: world.group)
    }

    /// Runs `attack`; it is refused if it throws `error` (or, for nil, any error).
    private func expect(
        _ name: String, _ expected: String, _ error: KMFClientError?,
        _ attack: () async throws -> Void
    ) async -> DemoReport.BadInput {
        do {
            try await attack()
            return .init(name: name, expected: expected, observed: "accepted", refused: false)
        } catch let thrown {
            let refused =
                error.map { ($0 as KMFClientError?) == (thrown as? KMFClientError) } ?? true
            return .init(name: name, expected: expected, observed: "\(thrown)", refused: refused)
        }
    }

    /// Sends `POST path` with the headers `headers` makes; refused if the status and the
    /// `WWW-Authenticate` error code are the expected ones.
    private func status(
        _ name: String, _ expected: String, _ code: Int, _ error: String, client: KMFClient,
        path: String, headers: () throws -> HTTPHeaders
    ) async -> DemoReport.BadInput {
        do {
            let response = try await client.send(method: "POST", path: path, headers: try headers())
            return .init(
                name: name, expected: expected, observed: describe(response),
                refused: response.status == code && describe(response).contains(error))
        } catch {
            return .init(name: name, expected: expected, observed: "\(error)", refused: false)
        }
    }

    private func describe(_ response: KMFClient.RawResponse) -> String {
        let challenge = response.headers["WWW-Authenticate"].first.map { " (\($0))" } ?? ""
        return "\(response.status)\(challenge)"
    }
}
