import PERC

/// Errors from `KMFClient`: the KMF's HTTP status with its OAuth 2.0 / DPoP error code, or what
/// went wrong on the way. No case carries a token, a proof, a password or key text.
public enum KMFClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 from the token endpoint with its error code (RFC 6749 §5.2: "invalid_grant",
    /// "invalid_request", "unsupported_grant_type"; RFC 9449 §5: "invalid_dpop_proof").
    case badRequest(String)
    /// 401 with the `WWW-Authenticate` error code (RFC 6750 §3.1 "invalid_token", RFC 9449 §7.1
    /// "invalid_dpop_proof").
    case unauthorized(String)
    /// 403 with the KMF's error code ("not_invited", "conference_ended").
    case forbidden(String)
    /// 404: no such conference.
    case notFound
    /// Any other status.
    case unexpectedStatus(Int)
    /// The response does not have the expected shape (missing header, bad JSON).
    case malformedResponse(String)
    /// The `Encryption-Key` header did not parse; nothing was imported.
    case malformedKeyHeader(EncryptionKeyHeaderError)
    /// The key store refused the delivered key (duplicate SPI, closed store).
    case keyRefused(EKTError)
    /// No access token yet: call `login` first.
    case notLoggedIn
    /// Making the DPoP proof failed.
    case proof(AuthError)
    /// The TLS handshake failed, including a server certificate other than the pinned one.
    case tls(String)
    /// The connection could not be made or broke (refused, reset, timed out).
    case connection(String)

    public var description: String {
        switch self {
        case .badRequest(let code): "KMF: 400 Bad Request (\(code))"
        case .unauthorized(let code): "KMF: 401 Unauthorized (\(code))"
        case .forbidden(let code): "KMF: 403 Forbidden (\(code))"
        case .notFound: "KMF: 404 Not Found"
        case .unexpectedStatus(let status): "KMF: unexpected HTTP status \(status)"
        case .malformedResponse(let what): "KMF: malformed response: \(what)"
        case .malformedKeyHeader(let error): "KMF: malformed Encryption-Key header: \(error)"
        case .keyRefused(let error): "KMF: delivered EKT key refused: \(error)"
        case .notLoggedIn: "KMF: not logged in"
        case .proof(let error): "KMF: cannot make DPoP proof: \(error)"
        case .tls(let what): "KMF: TLS failure: \(what)"
        case .connection(let what): "KMF: connection failure: \(what)"
        }
    }
}
