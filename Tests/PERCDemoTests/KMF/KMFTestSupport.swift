import Foundation
import Logging
import NIOHTTP1
import PERC
import Testing

@testable import PERCDemo

/// Every line a logger wrote, as text: level, message and metadata.
final class LogCapture: Sendable {
    private let lines = Locked<[String]>([])

    /// A trace-level logger writing into this capture.
    var logger: Logger {
        var logger = Logger(label: "kmf-test") { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }

    fileprivate func append(_ line: String) {
        lines.withLock { $0.append(line) }
    }
}

/// A swift-log handler that appends to a `LogCapture`.
private struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        capture.append("\(event.level) \(event.message) \(fields.joined(separator: " "))")
    }
}

/// A running KMF with a conference "standup", users alice, bob, carol (passwords
/// "<name>-password") and temp (1-second tokens), alice and bob invited.
struct KMFFixture {
    static let conference = "standup"
    let kmf: KMF
    let log: LogCapture

    /// Runs `body` with a started KMF and stops it afterwards, whatever happens.
    static func with(
        configuration: KMF.Configuration = KMF.Configuration(), users: [String] = ["alice", "bob"],
        _ body: (KMFFixture) async throws -> Void
    ) async throws {
        let fixture = try await start(configuration: configuration, users: users)
        do {
            try await body(fixture)
        } catch {
            await fixture.kmf.stop()
            throw error
        }
        await fixture.kmf.stop()
    }

    static func start(
        configuration: KMF.Configuration = KMF.Configuration(), users: [String] = ["alice", "bob"]
    ) async throws -> KMFFixture {
        let log = LogCapture()
        let kmf = try await KMF.start(configuration: configuration, logger: log.logger)
        for user in users {
            try kmf.addUser(identity: user, password: "\(user)-password")
        }
        try kmf.createConference(conference)
        for user in users where user != "carol" {
            try kmf.invite(identity: user, to: conference)
        }
        return KMFFixture(kmf: kmf, log: log)
    }

    /// A client pinned to this KMF with a fresh DPoP key and its own key store.
    func client(
        keyStore: KeyStore = KeyStore(), dpopKey: ES256PrivateKey? = nil, port: Int? = nil
    ) throws -> KMFClient {
        try KMFClient(
            port: port ?? kmf.port, pinnedCertificateDER: kmf.certificateDER,
            dpopKey: try dpopKey ?? ES256PrivateKey(), keyStore: keyStore)
    }

    /// A client logged in as `user`.
    func loggedIn(_ user: String, keyStore: KeyStore = KeyStore()) async throws -> KMFClient {
        let client = try client(keyStore: keyStore)
        try await client.login(username: user, password: "\(user)-password")
        return client
    }

    static let keyPath = "/conferences/\(conference)/key"
}

extension KMFClient {
    /// Authorization headers for `POST /conferences/standup/key`, optionally presenting
    /// `accessToken` instead of the client's own.
    func keyRequestHeaders(accessToken: String? = nil) throws -> HTTPHeaders {
        try authorizationHeaders(method: "POST", path: KMFFixture.keyPath, accessToken: accessToken)
    }

    /// `POST /conferences/standup/key` with `headers`, by default fresh authorization headers.
    func sendKeyRequest(_ headers: HTTPHeaders? = nil) async throws -> RawResponse {
        try await send(
            method: "POST", path: KMFFixture.keyPath, headers: headers ?? keyRequestHeaders())
    }
}

extension KMFClient.RawResponse {
    /// The `error` parameter of the `WWW-Authenticate` challenge.
    var challengeError: String? {
        headers["WWW-Authenticate"].first.flatMap(KMFClient.errorParameter)
    }
}

/// The value of parameter `name` in an `Encryption-Key` value (test-side parsing only).
func encryptionKeyParameter(_ name: String, in value: String) -> String? {
    for parameter in value.split(separator: ";") {
        let parts = parameter.split(separator: "=", maxSplits: 1)
        guard parts.count == 2,
            parts[0].trimmingCharacters(in: .whitespaces) == name
        else { continue }
        return parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
    }
    return nil
}
