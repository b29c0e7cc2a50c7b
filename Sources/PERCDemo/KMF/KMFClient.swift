import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import PERC

/// An endpoint's client for the KMF: HTTPS that trusts only the KMF's pinned certificate, the
/// OAuth 2.0 password grant with a DPoP-bound access token (RFC 6749 §4.3, RFC 9449), and the
/// conference calls.
///
/// The EKT key never leaves the client as text: `fetchKey` hands the `Encryption-Key` header
/// value straight to the endpoint's `KeyStore` and returns only the imported handle. The access
/// token is kept inside and never printed.
public final class KMFClient: Sendable {
    /// What a key request delivered. The EKT key itself is already in the endpoint's key store.
    public struct KeyDelivery: Sendable, CustomStringConvertible {
        /// The imported EKT key (handle, cipher, SPI, keyid).
        public let key: EncryptionKeyHeader.ImportedKey
        /// The SSRC the KMF assigned to this endpoint in the conference.
        public let ssrc: UInt32
        /// The signed roster (JWS compact serialization); check it with `SignedRoster.verify` and
        /// the KMF's roster key.
        public let roster: String

        public var description: String { "KeyDelivery(\(key), SSRC \(ssrc))" }
    }

    /// `https://host:port`, the KMF's issuer and the base of every DPoP `htu`.
    public let baseURL: String
    private let transport: PinnedHTTPSTransport
    private let dpopKey: ES256PrivateKey
    private let keyStore: KeyStore
    private let token = Locked<String?>(nil)

    /// A client of the KMF at `host:port` whose TLS certificate is `pinnedCertificateDER`.
    ///
    /// - Parameters:
    ///   - dpopKey: the endpoint's DPoP key; every proof is signed with it and the access token is
    ///     bound to it.
    ///   - keyStore: the endpoint's key store, into which `fetchKey` imports EKT keys (scope: the
    ///     conference ID).
    public init(
        host: String = "127.0.0.1", port: Int, pinnedCertificateDER: [UInt8],
        dpopKey: ES256PrivateKey, keyStore: KeyStore,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(KMFClientError) {
        transport = try PinnedHTTPSTransport(
            host: host, port: port, pinnedCertificateDER: pinnedCertificateDER, group: group)
        baseURL = "https://\(host):\(port)"
        self.dpopKey = dpopKey
        self.keyStore = keyStore
    }

    // MARK: OAuth 2.0

    /// Obtains a DPoP-bound access token with the resource owner password credentials grant
    /// (RFC 6749 §4.3.2), the proof signed with the endpoint's DPoP key (RFC 9449 §5).
    public func login(username: String, password: String) async throws(KMFClientError) {
        let path = "/oauth/token"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        headers.add(name: "DPoP", value: try proof(method: "POST", path: path, accessToken: nil))
        let form = FormURLEncoding.encode([
            ("grant_type", "password"), ("username", username), ("password", password),
        ])
        let response = try await send(
            method: "POST", path: path, headers: headers, body: Array(form.utf8))
        let message = try Self.decode(KMFMessages.Token.self, from: response)
        // RFC 9449 §5: a DPoP-bound token is issued with token_type "DPoP".
        guard message.tokenType == "DPoP" else {
            throw .malformedResponse("token_type is not DPoP")
        }
        token.withLock { $0 = message.accessToken }
    }

    // MARK: Conference calls

    /// Asks for the conference's current EKT key and imports it into the endpoint's key store
    /// (scope: the conference ID). Returns the imported key, this endpoint's SSRC and the signed
    /// roster. Nothing is imported if the response is malformed in any way.
    public func fetchKey(conference: String) async throws(KMFClientError) -> KeyDelivery {
        let response = try await authorizedRequest(
            method: "POST", path: "/conferences/\(conference)/key")
        let message = try Self.decode(KMFMessages.Key.self, from: response)
        // The whole field value: the import itself refuses more than one key description.
        let values = response.headers[EncryptionKeyHeader.name]
        guard values.count == 1, let value = values.first else {
            throw .malformedResponse("expected one Encryption-Key header, got \(values.count)")
        }
        do {
            let key = try keyStore.importEKTKey(
                fromEncryptionKeyHeader: value, scope: KeyScope(conference))
            return KeyDelivery(key: key, ssrc: message.ssrc, roster: message.roster)
        } catch {
            if case .ekt(let refusal) = error { throw .keyRefused(refusal) }
            throw .malformedKeyHeader(error)
        }
    }

    /// The conference's current signed roster (JWS compact serialization).
    public func fetchRoster(conference: String) async throws(KMFClientError) -> String {
        let response = try await authorizedRequest(
            method: "GET", path: "/conferences/\(conference)/roster")
        return try Self.decode(KMFMessages.Roster.self, from: response).roster
    }

    /// Leaves the conference; the KMF rekeys it for those who stay.
    public func leave(conference: String) async throws(KMFClientError) {
        _ = try await authorizedRequest(method: "POST", path: "/conferences/\(conference)/leave")
    }

    // MARK: Raw requests (the demo's attacks)

    /// Sends any request as is and returns the response whatever its status: for replaying a
    /// captured request, presenting a stolen token, sending garbage.
    public func send(
        method: String, path: String, headers: HTTPHeaders = [:], body: [UInt8] = []
    ) async throws(KMFClientError) -> RawResponse {
        try await transport.send(method: method, path: path, headers: headers, body: body)
    }

    /// `Authorization: DPoP <token>` and a fresh `DPoP` proof (with `ath`, RFC 9449 §4.2) signed
    /// by this client's key for `method` and `path`. `accessToken` overrides the client's own
    /// token (to present someone else's).
    public func authorizationHeaders(method: String, path: String, accessToken: String? = nil)
        throws(KMFClientError) -> HTTPHeaders
    {
        guard let token = accessToken ?? self.accessToken else { throw .notLoggedIn }
        var headers = HTTPHeaders()
        // RFC 9449 §7.1: the DPoP authentication scheme.
        headers.add(name: "Authorization", value: "DPoP \(token)")
        headers.add(name: "DPoP", value: try proof(method: method, path: path, accessToken: token))
        return headers
    }

    /// The current access token, for the demo's stolen-token attack.
    package var accessToken: String? { token.withLock { $0 } }

    // MARK: Helpers

    private func authorizedRequest(method: String, path: String) async throws(KMFClientError)
        -> RawResponse
    {
        try Self.check(
            try await send(
                method: method, path: path,
                headers: try authorizationHeaders(method: method, path: path)))
    }

    private func proof(method: String, path: String, accessToken: String?)
        throws(KMFClientError) -> String
    {
        do {
            return try DPoPProof.make(
                key: dpopKey, method: method, url: baseURL + path, accessToken: accessToken,
                now: Date())
        } catch {
            throw .proof(error)
        }
    }

    /// `response` if its status is 2xx; otherwise the error its status and error code name.
    private static func check(_ response: RawResponse) throws(KMFClientError) -> RawResponse {
        let code = {
            (try? JSONDecoder().decode(KMFMessages.Failure.self, from: Data(response.body)))?.error
        }
        switch response.status {
        case 200..<300: return response
        case 400: throw .badRequest(code() ?? "")
        case 401:
            // RFC 6750 §3 / RFC 9449 §7.1: the error code is in WWW-Authenticate.
            let challenge = response.headers["WWW-Authenticate"].first.flatMap(Self.errorParameter)
            throw .unauthorized(challenge ?? code() ?? "")
        case 403: throw .forbidden(code() ?? "")
        case 404: throw .notFound
        default: throw .unexpectedStatus(response.status)
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, from response: RawResponse)
        throws(KMFClientError) -> T
    {
        let response = try check(response)
        do {
            return try JSONDecoder().decode(type, from: Data(response.body))
        } catch {
            throw .malformedResponse("body is not the expected JSON")
        }
    }

    /// The `error` auth-param of a challenge (RFC 7235 §2.1: `scheme 1#( token "=" ( token /
    /// quoted-string ) )`), e.g. `DPoP error="invalid_token", algs="ES256"`.
    static func errorParameter(of challenge: String) -> String? {
        guard let space = challenge.firstIndex(of: " ") else { return nil }
        var rest = challenge[challenge.index(after: space)...]
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { return nil }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                // quoted-string: up to the closing quote, `\` escaping the next character.
                rest = rest.dropFirst()
                var escaped = false
                while let character = rest.popFirst() {
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        break
                    } else {
                        value.append(character)
                    }
                }
            } else {
                value = String(rest.prefix { $0 != "," })
                rest = rest.drop { $0 != "," }
            }
            if name.lowercased() == "error" { return value }
        }
    }
}
