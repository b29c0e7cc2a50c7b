import Foundation

/// The KMF's authorization server and resource server checks: the password grant with a DPoP
/// proof at the token endpoint, and the DPoP-bound access token plus proof on every other
/// request. Every refusal is a `KMFHTTPFailure` carrying the OAuth 2.0 / DPoP error code.
struct KMFRequestAuthenticator: Sendable {
    /// The token endpoint's path.
    static let tokenPath = "/oauth/token"

    /// `https://127.0.0.1:<port>`: the tokens' issuer and audience, the base of every `htu`.
    let baseURL: String
    let issuer: AccessTokenIssuer
    let validator: AccessTokenValidator
    let verifier: DPoPVerifier
    let database: ConferenceDatabase
    /// Checked against when the user is unknown, so that an unknown user costs the same PBKDF2
    /// time as a wrong password.
    let decoyPasswordHash: String

    /// A granted access token.
    struct Grant {
        let accessToken: String
        let identity: String
        let lifetime: Duration
    }

    /// The resource owner password credentials grant (RFC 6749 §4.3.2) with a DPoP proof for
    /// the token endpoint (RFC 9449 §5): the token is bound to the proof key's thumbprint
    /// (`cnf.jkt`, RFC 9449 §6.1) and lives as long as the account's policy says.
    func grant(form: [String: String], proofs: [String], now: Date) throws(KMFHTTPFailure) -> Grant
    {
        guard let grantType = form["grant_type"] else { throw .badRequest("invalid_request") }
        // RFC 6749 §5.2: a grant type this server does not support.
        guard grantType == "password" else { throw .badRequest("unsupported_grant_type") }
        guard let username = form["username"], let password = form["password"] else {
            throw .badRequest("invalid_request")
        }
        // RFC 9449 §4.3 step 1: exactly one DPoP header. The proof is checked before the
        // password, so a bad proof costs no PBKDF2 work.
        guard proofs.count == 1, let proof = proofs.first else {
            throw .badRequest("invalid_dpop_proof")
        }
        let jkt: String
        do {
            jkt = try verifier.verify(
                proof, method: "POST", url: baseURL + Self.tokenPath, accessToken: nil,
                boundTo: nil, now: now)
        } catch {
            throw .badRequest("invalid_dpop_proof")
        }
        let user: ConferenceDatabase.User?
        do {
            user = try database.user(username)
        } catch {
            throw KMFHTTPFailure(status: .internalServerError, code: "server_error")
        }
        // RFC 6749 §5.2: invalid resource owner credentials are "invalid_grant".
        let accepted = PasswordHash.verify(
            password: password, against: user?.passwordHash ?? decoyPasswordHash)
        guard accepted, let user else { throw .badRequest("invalid_grant") }
        do {
            let token = try issuer.issue(
                subject: user.identity, boundTo: jkt, lifetime: user.tokenLifetime, now: now)
            return Grant(accessToken: token, identity: user.identity, lifetime: user.tokenLifetime)
        } catch {
            throw KMFHTTPFailure(status: .internalServerError, code: "server_error")
        }
    }

    /// Authenticates a resource request and returns the identity (the token's `sub`):
    /// `Authorization: DPoP <token>` (RFC 9449 §7.1) with a valid token (signature, typ, iss,
    /// aud, exp: else "invalid_token", RFC 6750 §3.1), and one DPoP proof for this method and
    /// URL, with `ath` of the token, by the key the token is bound to, not seen before (else
    /// "invalid_dpop_proof", RFC 9449 §4.3, §7.1).
    func authenticate(
        method: String, path: String, authorization: [String], proofs: [String], now: Date
    ) throws(KMFHTTPFailure) -> String {
        guard authorization.count == 1, let token = Self.dpopToken(authorization[0]) else {
            throw .unauthorized("invalid_token")
        }
        let claims: AccessTokenClaims
        do {
            claims = try validator.validate(token, now: now)
        } catch {
            throw .unauthorized("invalid_token")
        }
        guard proofs.count == 1, let proof = proofs.first else {
            throw .unauthorized("invalid_dpop_proof")
        }
        do {
            _ = try verifier.verify(
                proof, method: method, url: baseURL + path, accessToken: token,
                boundTo: claims.cnf.jkt, now: now)
        } catch {
            throw .unauthorized("invalid_dpop_proof")
        }
        return claims.sub
    }

    /// The token of an `Authorization: DPoP <token68>` value; the scheme name is
    /// case-insensitive (RFC 7235 §2.1). Any other scheme (a DPoP-bound token sent as Bearer,
    /// RFC 9449 §7.2) is nil.
    private static func dpopToken(_ value: String) -> String? {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "dpop" else { return nil }
        return String(parts[1])
    }
}
