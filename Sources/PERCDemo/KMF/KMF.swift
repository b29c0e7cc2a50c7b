import Foundation
import Hummingbird
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PERC

/// The enterprise Key Management Function of `perc demo`: an HTTPS server on 127.0.0.1 with an
/// OAuth 2.0 token endpoint (password grant, DPoP-bound JWT access tokens), a SQLite conference
/// database, EKT keys in its own `KeyStore` delivered in `Encryption-Key` headers, and signed
/// rosters. The admin calls (`createConference`, `invite`, …) are the organiser's console.
///
/// `start` generates a self-signed certificate (SAN IP 127.0.0.1), a token-signing key and a
/// separate roster-signing key, binds an ephemeral port and returns once the server listens.
/// Endpoints pin `certificateDER` and verify rosters with `rosterPublicKey`.
public final class KMF: Sendable {
    /// `https://127.0.0.1:<port>`: the issuer and audience of access tokens.
    public let baseURL: String
    /// The TCP port the server is bound to.
    public let port: Int
    /// The server's self-signed certificate (DER), for clients to pin.
    public let certificateDER: [UInt8]
    /// The key that verifies signed rosters (distinct from the token key).
    public let rosterPublicKey: ES256PublicKey
    /// The key that verifies access tokens.
    public let tokenPublicKey: ES256PublicKey
    /// Faults to inject into responses, for the demo's bad-input phase.
    public let faults: Faults

    private let keying: ConferenceKeying
    private let server: Task<Void, any Error>
    private let logger: Logger

    /// The KMF's settings.
    public struct Configuration: Sendable {
        /// The conference database: a file path or ":memory:".
        public var databasePath: String
        /// The TCP port on 127.0.0.1; 0 picks a free one.
        public var port: Int
        /// After a rekey, the longest the KMF waits for every participant to fetch the new EKT
        /// key before it schedules the senders' switch (the roster's `activeFrom`) anyway.
        public var rekeyLead: Duration
        /// How long after the switch the superseded EKT key is kept before it is revoked.
        public var keyOverlap: Duration
        /// The oldest DPoP proof accepted (RFC 9449 §11.1); its `jti` is remembered that long.
        public var proofMaxAge: Duration
        /// The validity of the TLS certificate generated at start.
        public var certificateLifetime: Duration

        public init(
            databasePath: String = ":memory:", port: Int = 0,
            rekeyLead: Duration = .seconds(2), keyOverlap: Duration = .seconds(2),
            proofMaxAge: Duration = .seconds(60), certificateLifetime: Duration = .seconds(86_400)
        ) {
            self.databasePath = databasePath
            self.port = port
            self.rekeyLead = rekeyLead
            self.keyOverlap = keyOverlap
            self.proofMaxAge = proofMaxAge
            self.certificateLifetime = certificateLifetime
        }
    }

    private static let host = "127.0.0.1"

    /// Starts the KMF and returns once its HTTPS server listens.
    public static func start(
        configuration: Configuration = Configuration(),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger
    ) async throws(KMFError) -> KMF {
        let database: ConferenceDatabase
        do {
            database = try ConferenceDatabase(path: configuration.databasePath)
        } catch {
            throw .database(error)
        }
        let tokenKey: ES256PrivateKey
        let rosterKey: ES256PrivateKey
        let certificate: SelfSignedCertificate
        let decoyPasswordHash: String
        do {
            tokenKey = try ES256PrivateKey()
            rosterKey = try ES256PrivateKey()
            certificate = try SelfSignedCertificate.generate(
                commonName: "perc demo KMF", ipAddress: host,
                validFor: configuration.certificateLifetime)
            decoyPasswordHash = try PasswordHash.make(
                password: Base64URL.encode((0..<16).map { _ in UInt8.random(in: 0...255) }))
        } catch {
            database.close()
            throw .auth(error)
        }
        let keying: ConferenceKeying
        do {
            keying = try ConferenceKeying(
                database: database, rosterKey: rosterKey, rekeyLead: configuration.rekeyLead,
                keyOverlap: configuration.keyOverlap, logger: logger)
        } catch {
            database.close()
            throw error
        }
        let faults = Faults()
        // The KMF's own pool for password checks (blocking PBKDF2), ended with the server.
        let passwordPool = NIOThreadPool(numberOfThreads: 1)
        passwordPool.start()
        let routes = KMFRoutes(
            keying: keying, faults: faults, passwordPool: passwordPool, logger: logger)
        let router = Router()
        routes.register(on: router)

        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        let application: Application<RouterResponder<BasicRequestContext>>
        do {
            application = Application(
                router: router,
                server: try .tls(.http1(), tlsConfiguration: try tlsConfiguration(certificate)),
                configuration: ApplicationConfiguration(
                    address: .hostname(host, port: configuration.port)),
                onServerRunning: { channel in
                    guard let port = channel.localAddress?.port else { return }
                    // RFC 9068 §2.2 / RFC 9449 §4.3 step 9: issuer, audience and htu all name
                    // this origin.
                    let baseURL = "https://\(host):\(port)"
                    routes.bind(
                        KMFRequestAuthenticator(
                            baseURL: baseURL,
                            issuer: AccessTokenIssuer(
                                issuer: baseURL, audience: baseURL, key: tokenKey),
                            validator: AccessTokenValidator(
                                issuer: baseURL, audience: baseURL, key: tokenKey.publicKey),
                            verifier: DPoPVerifier(maxAge: configuration.proofMaxAge),
                            database: database, decoyPasswordHash: decoyPasswordHash))
                    bound.yield(port)
                    bound.finish()
                },
                eventLoopGroupProvider: .shared(group), logger: logger)
        } catch {
            keying.close()
            try? await passwordPool.shutdownGracefully()
            throw .server("TLS configuration: \(error)")
        }
        let server = Task {
            defer { bound.finish() }
            do {
                try await application.run()
            } catch {
                try? await passwordPool.shutdownGracefully()
                throw error
            }
            try? await passwordPool.shutdownGracefully()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            keying.close()
            do {
                try await server.value
                throw KMFError.server("stopped before listening")
            } catch let error as KMFError {
                throw error
            } catch {
                throw .server("\(error)")
            }
        }
        logger.info("KMF listening", metadata: ["port": "\(port)"])
        return KMF(
            baseURL: "https://\(host):\(port)", port: port,
            certificateDER: certificate.certificateDER, rosterPublicKey: rosterKey.publicKey,
            tokenPublicKey: tokenKey.publicKey, faults: faults, keying: keying, server: server,
            logger: logger)
    }

    private init(
        baseURL: String, port: Int, certificateDER: [UInt8], rosterPublicKey: ES256PublicKey,
        tokenPublicKey: ES256PublicKey, faults: Faults, keying: ConferenceKeying,
        server: Task<Void, any Error>, logger: Logger
    ) {
        self.baseURL = baseURL
        self.port = port
        self.certificateDER = certificateDER
        self.rosterPublicKey = rosterPublicKey
        self.tokenPublicKey = tokenPublicKey
        self.faults = faults
        self.keying = keying
        self.server = server
        self.logger = logger
    }

    /// TLS 1.3 only (RFC 8446), with the generated certificate and its key.
    private static func tlsConfiguration(_ certificate: SelfSignedCertificate) throws
        -> TLSConfiguration
    {
        let chain = try NIOSSLCertificate(bytes: certificate.certificateDER, format: .der)
        let key = try certificate.withPrivateKeyPEM { pem in
            try NIOSSLPrivateKey(bytes: pem, format: .pem)
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(chain)], privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv13
        return configuration
    }

    /// Shuts the server down, then wipes every key (the key store is closed) and closes the
    /// database.
    public func stop() async {
        server.cancel()
        _ = await server.result
        keying.close()
        logger.info("KMF stopped")
    }

    // MARK: Admin (the organiser's console)

    /// Adds an account to the enterprise directory. `tokenLifetime` is the account's policy for
    /// its access tokens (whole seconds, at least 1).
    public func addUser(identity: String, password: String, tokenLifetime: Duration = .seconds(300))
        throws(KMFError)
    {
        do {
            try keying.database.addUser(
                identity: identity, passwordHash: try PasswordHash.make(password: password),
                tokenLifetime: tokenLifetime)
        } catch let error as AuthError {
            throw .auth(error)
        } catch let error as ConferenceDatabaseError {
            throw .database(error)
        } catch {
            throw .server("\(error)")
        }
        logger.info("KMF user added", metadata: ["identity": "\(identity)"])
    }

    /// Creates a conference with its first EKT key (SPI 1) and an empty roster.
    public func createConference(_ id: String) throws(KMFError) {
        try keying.createConference(id)
    }

    /// Invites `identity`; it may then fetch the conference's key.
    public func invite(identity: String, to conference: String) throws(KMFError) {
        try keying.invite(identity, to: conference)
    }

    /// Withdraws the invitation of `identity`; if it is in the conference it is removed from the
    /// roster and the conference is rekeyed, as when it leaves.
    public func remove(identity: String, from conference: String) throws(KMFError) {
        try keying.remove(identity, from: conference)
    }

    /// Ends the conference: revokes and wipes every EKT key of it, and refuses every later
    /// request about it (403 conference_ended). Returns the final signed roster (`ended: true`).
    @discardableResult
    public func endConference(_ id: String) throws(KMFError) -> String {
        try keying.endConference(id)
    }

    /// The number of live EKT keys the KMF holds for the conference: 1, 2 during a rekey
    /// overlap, 0 once it ended.
    public func liveEKTKeyCount(conference: String) -> Int {
        keying.liveKeyCount(conference: conference)
    }
}
