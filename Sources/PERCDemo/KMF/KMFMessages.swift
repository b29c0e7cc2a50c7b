/// The JSON bodies of the KMF HTTP API, shared by `KMFServer`'s routes and `KMFClient`.
enum KMFMessages {
    /// A successful access token response (RFC 6749 §5.1; RFC 9449 §5: token_type "DPoP").
    struct Token: Codable {
        let accessToken: String
        let tokenType: String
        let expiresIn: Int

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
            case tokenType = "token_type"
            case expiresIn = "expires_in"
        }
    }

    /// `POST /conferences/{id}/key`: the caller's SSRC and the signed roster that lists it. The
    /// EKT key itself travels only in the `Encryption-Key` header.
    struct Key: Codable {
        let ssrc: UInt32
        let roster: String
    }

    /// `GET /conferences/{id}/roster`: the signed roster (JWS compact serialization).
    struct Roster: Codable {
        let roster: String
    }

    /// An error response: an OAuth 2.0 error code (RFC 6749 §5.2) or one of the KMF's own.
    struct Failure: Codable {
        let error: String
    }
}
