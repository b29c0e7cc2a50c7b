import Foundation
import PERC

/// DPoP proof JWTs (RFC 9449 §4.2): the client side.
public enum DPoPProof {
    /// The JWS `typ` of a DPoP proof (RFC 9449 §4.2).
    static let type = "dpop+jwt"

    /// A proof of possession of `key` for one request: `method` and `url` (its query and fragment
    /// dropped, RFC 9449 §4.2 `htu`), a random `jti`, `iat` = `now`, and when `accessToken` is
    /// given its hash as `ath`.
    public static func make(
        key: ES256PrivateKey, method: String, url: String, accessToken: String?, now: Date
    ) throws(AuthError) -> String {
        let claims = DPoPClaims(
            jti: try DemoCrypto.randomIdentifier(), htm: method, htu: targetURI(url),
            iat: NumericDate.seconds(now), ath: try accessToken.map(accessTokenHash))
        let header = JWSHeader(typ: type, jwk: key.publicKey.jwk)
        return try JWS.sign(header: header, payload: claims, key: key)
    }

    /// RFC 9449 §4.2 `ath`: base64url(SHA-256(ASCII(access token))).
    static func accessTokenHash(_ accessToken: String) throws(AuthError) -> String {
        Base64URL.encode(try DemoCrypto.sha256(accessToken.utf8))
    }

    /// `url` without its query and fragment (RFC 9449 §4.2 `htu`, §4.3 step 9).
    static func targetURI(_ url: String) -> Substring {
        url.prefix { $0 != "?" && $0 != "#" }
    }
}

/// The claims of a DPoP proof (RFC 9449 §4.2).
struct DPoPClaims: Codable, Equatable {
    /// Unique identifier, for replay detection.
    let jti: String
    /// HTTP method of the request.
    let htm: String
    /// HTTP target URI without query and fragment.
    let htu: String
    /// Creation time, seconds since the epoch.
    let iat: Int
    /// Hash of the access token, when one is presented.
    let ath: String?

    init(jti: String, htm: String, htu: some StringProtocol, iat: Int, ath: String?) {
        self.jti = jti
        self.htm = htm
        self.htu = String(htu)
        self.iat = iat
        self.ath = ath
    }
}
