import Foundation
import Hummingbird

/// A refused request as the KMF answers it: the status, the error code in a JSON body
/// (`{"error": code}`), and for 401 the `WWW-Authenticate` challenge that carries the code
/// (RFC 6750 §3, RFC 9449 §7.1).
struct KMFHTTPFailure: Error {
    let status: HTTPResponse.Status
    /// An OAuth 2.0 error code (RFC 6749 §5.2, RFC 6750 §3.1, RFC 9449) or one of the KMF's.
    let code: String

    /// RFC 6749 §5.2: the token endpoint's errors.
    static func badRequest(_ code: String) -> KMFHTTPFailure {
        .init(status: .badRequest, code: code)
    }
    /// RFC 6750 §3.1 / RFC 9449 §7.1: "invalid_token" or "invalid_dpop_proof".
    static func unauthorized(_ code: String) -> KMFHTTPFailure {
        .init(status: .unauthorized, code: code)
    }

    /// The status and code an admin-level refusal maps to.
    init(_ error: KMFError) {
        switch error {
        case .unknownConference, .invalidConferenceID:
            self.init(status: .notFound, code: "unknown_conference")
        case .conferenceEnded: self.init(status: .forbidden, code: "conference_ended")
        case .notInvited: self.init(status: .forbidden, code: "not_invited")
        case .database, .keys, .keyHeader, .auth, .server:
            self.init(status: .internalServerError, code: "server_error")
        }
    }

    init(status: HTTPResponse.Status, code: String) {
        self.status = status
        self.code = code
    }

    var response: Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        if status == .unauthorized {
            // RFC 9449 §7.1: the DPoP scheme's challenge, with the algorithms the KMF accepts.
            headers[.wwwAuthenticate] = "DPoP error=\"\(code)\", algs=\"ES256\""
        }
        return KMFRoutes.json(KMFMessages.Failure(error: code), status: status, headers: headers)
    }
}
