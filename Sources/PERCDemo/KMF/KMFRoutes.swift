import Foundation
import Hummingbird
import NIOPosix
import Logging
import PERC

/// The KMF's HTTP API on a Hummingbird router:
///
/// | route | answer |
/// |---|---|
/// | `POST /oauth/token` | 200 DPoP-bound access token; 400 with an OAuth 2.0 error code |
/// | `POST /conferences/{id}/key` | 200 `Encryption-Key` header + `{"ssrc", "roster"}` |
/// | `GET /conferences/{id}/roster` | 200 `{"roster"}` |
/// | `POST /conferences/{id}/leave` | 204, the conference is rekeyed |
///
/// Conference routes answer 401 (invalid_token / invalid_dpop_proof), 403 (not_invited /
/// conference_ended) or 404. Each request is logged with its method, path, status, identity and
/// error code, never with a header value or body.
struct KMFRoutes: Sendable {
    let keying: ConferenceKeying
    let faults: KMF.Faults
    /// Where password checks run (see `token`).
    let passwordPool: NIOThreadPool
    let logger: Logger
    /// Set once the server is bound: the authenticator needs the port for its base URL.
    private let authenticator = Locked<KMFRequestAuthenticator?>(nil)

    init(
        keying: ConferenceKeying, faults: KMF.Faults, passwordPool: NIOThreadPool, logger: Logger
    ) {
        self.keying = keying
        self.faults = faults
        self.passwordPool = passwordPool
        self.logger = logger
    }

    static let encryptionKeyField = HTTPFields.Element.Name(EncryptionKeyHeader.name)!
    static let dpopField = HTTPFields.Element.Name("DPoP")!
    /// RFC 6749 §5.1 asks for `Pragma: no-cache` next to `Cache-Control: no-store`.
    private static let pragmaField = HTTPFields.Element.Name("Pragma")!
    /// The largest token request body read (a form of three short fields).
    private static let maxFormSize = 8 * 1024

    func bind(_ authenticator: KMFRequestAuthenticator) {
        self.authenticator.withLock { $0 = authenticator }
    }

    func register(on router: Router<BasicRequestContext>) {
        router.post("oauth/token") { request, _ in await token(request) }
        router.post("conferences/:id/key") { request, context in
            await conference(request, context) { identity, id throws(KMFError) in
                let delivery = try keying.deliverKey(
                    to: identity, in: id, malformed: { faults.takeMalformedHeader(for: identity) })
                var headers = HTTPFields()
                headers[Self.encryptionKeyField] = delivery.encryptionKey
                headers[.cacheControl] = "no-store"
                return Self.json(
                    KMFMessages.Key(ssrc: delivery.ssrc, roster: delivery.roster), headers: headers)
            }
        }
        router.get("conferences/:id/roster") { request, context in
            await conference(request, context) { identity, id throws(KMFError) in
                Self.json(KMFMessages.Roster(roster: try keying.roster(for: identity, of: id)))
            }
        }
        router.post("conferences/:id/leave") { request, context in
            await conference(request, context) { identity, id throws(KMFError) in
                try keying.leave(identity, from: id)
                return Response(status: .noContent)
            }
        }
    }

    // MARK: Handlers

    /// RFC 6749 §4.3.2 / §5.1: `application/x-www-form-urlencoded` in, JSON out, never cached.
    private func token(_ request: Request) async -> Response {
        var request = request
        return await logged(request) { identity async throws(KMFHTTPFailure) in
            let authenticator = try currentAuthenticator()
            let contentType = request.headers[.contentType]?.lowercased() ?? ""
            guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
                throw .badRequest("invalid_request")
            }
            guard let body = try? await request.collectBody(upTo: Self.maxFormSize),
                let form = FormURLEncoding.decode(body.readableBytesView)
            else { throw .badRequest("invalid_request") }
            // PBKDF2 (600,000 rounds) is blocking CPU work: it runs on NIO's thread pool, not on
            // the cooperative executor that serves every other request and connection.
            let proofs = request.headers[values: Self.dpopField]
            let outcome = try? await passwordPool.runIfActive {
                Result { () throws(KMFHTTPFailure) in
                    try authenticator.grant(form: form, proofs: proofs, now: Date())
                }
            }
            guard let outcome else {
                throw KMFHTTPFailure(status: .internalServerError, code: "server_error")
            }
            let grant = try outcome.get()
            identity = grant.identity
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            headers[Self.pragmaField] = "no-cache"
            return Self.json(
                KMFMessages.Token(
                    accessToken: grant.accessToken, tokenType: "DPoP",
                    expiresIn: Int(grant.lifetime.components.seconds)),
                headers: headers)
        }
    }

    /// A conference route: authenticates the request, then runs `body` with the identity and the
    /// conference ID.
    private func conference(
        _ request: Request, _ context: BasicRequestContext,
        _ body: (String, String) throws(KMFError) -> Response
    ) async -> Response {
        await logged(request) { identity async throws(KMFHTTPFailure) in
            let caller = try currentAuthenticator().authenticate(
                method: request.method.rawValue, path: request.uri.path,
                authorization: request.headers[values: .authorization],
                proofs: request.headers[values: Self.dpopField], now: Date())
            identity = caller
            guard let id = context.parameters.get("id") else {
                throw KMFHTTPFailure(.unknownConference(""))
            }
            do throws(KMFError) {
                return try body(caller, id)
            } catch {
                throw KMFHTTPFailure(error)
            }
        }
    }

    /// Runs a handler, turns its refusal into a response and logs the outcome.
    private func logged(
        _ request: Request,
        _ handler: (inout String?) async throws(KMFHTTPFailure) -> Response
    ) async -> Response {
        var identity: String?
        var metadata: Logger.Metadata = [
            "method": "\(request.method.rawValue)", "path": "\(request.uri.path)",
        ]
        let response: Response
        do {
            response = try await handler(&identity)
        } catch {
            metadata["error"] = "\(error.code)"
            response = error.response
        }
        metadata["status"] = "\(response.status.code)"
        metadata["identity"] = "\(identity ?? "-")"
        logger.info("KMF request", metadata: metadata)
        return response
    }

    private func currentAuthenticator() throws(KMFHTTPFailure) -> KMFRequestAuthenticator {
        guard let authenticator = authenticator.withLock({ $0 }) else {
            throw KMFHTTPFailure(status: .serviceUnavailable, code: "temporarily_unavailable")
        }
        return authenticator
    }

    /// `value` as a JSON response.
    static func json(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]
    ) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let body = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(
            status: status, headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
