/// The claims of a DPoP-bound JWT access token (RFC 9068 §2.2, RFC 9449 §6.1).
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    /// Issuer: the authorization server (RFC 7519 §4.1.1).
    public let iss: String
    /// Subject: the authenticated identity (RFC 7519 §4.1.2).
    public let sub: String
    /// Audience: the resource server (RFC 7519 §4.1.3).
    public let aud: String
    /// Issued at, seconds since the epoch (RFC 7519 §4.1.6).
    public let iat: Int
    /// Expiry, seconds since the epoch (RFC 7519 §4.1.4).
    public let exp: Int
    /// Unique token identifier (RFC 7519 §4.1.7).
    public let jti: String
    /// The key the token is bound to (RFC 7800 `cnf`, RFC 9449 §6.1).
    public let cnf: Confirmation
}

/// A confirmation claim holding the bound key's RFC 7638 thumbprint (RFC 9449 §6.1 `jkt`).
public struct Confirmation: Codable, Sendable, Equatable {
    /// base64url(SHA-256) thumbprint of the DPoP public key.
    public let jkt: String
}
