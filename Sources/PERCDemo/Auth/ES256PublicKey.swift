internal import CPERCDemoCrypto
import PERC

/// A P-256 public key for verifying ES256 signatures (RFC 7518 §3.4), as carried in a JWK.
public struct ES256PublicKey: Sendable, Equatable {
    /// The key as a public JWK (RFC 7518 §6.2.1).
    public let jwk: JWK
    /// The RFC 7638 JWK thumbprint: base64url(SHA-256 of the canonical JWK members).
    public let thumbprint: String
    private let x: [UInt8]
    private let y: [UInt8]

    /// Validates `jwk`: kty "EC", crv "P-256", x and y strict base64url of 32 octets each, and the
    /// point on the curve (RFC 7518 §6.2.1).
    public init(jwk: JWK) throws(AuthError) {
        let length = Int(PERC_DEMO_P256_COORD_LEN)
        guard jwk.kty == "EC" else { throw .malformed("JWK kty is not EC") }
        guard jwk.crv == "P-256" else { throw .malformed("JWK crv is not P-256") }
        guard let x = Base64URL.decodeUnpadded(jwk.x), x.count == length,
            let y = Base64URL.decodeUnpadded(jwk.y), y.count == length
        else { throw .malformed("JWK x/y are not 32-octet base64url coordinates") }
        guard perc_demo_es256_check_public(x, y) == 1 else {
            throw .malformed("JWK point is not on P-256")
        }
        try self.init(validated: jwk, x: x, y: y)
    }

    /// A key from coordinates OpenSSL produced for a key it generated.
    init(x: [UInt8], y: [UInt8]) throws(AuthError) {
        let jwk = JWK(kty: "EC", crv: "P-256", x: Base64URL.encode(x), y: Base64URL.encode(y))
        try self.init(validated: jwk, x: x, y: y)
    }

    private init(validated jwk: JWK, x: [UInt8], y: [UInt8]) throws(AuthError) {
        self.jwk = jwk
        self.x = x
        self.y = y
        self.thumbprint = Base64URL.encode(try DemoCrypto.sha256(jwk.thumbprintInput.utf8))
    }

    /// Whether `signature` (raw r ‖ s, 64 octets, RFC 7518 §3.4) is a valid ES256 signature of
    /// `message` by this key.
    public func isValidSignature(_ signature: [UInt8], for message: some Sequence<UInt8>) -> Bool {
        guard signature.count == Int(PERC_DEMO_ES256_SIG_LEN) else { return false }
        let message = Array(message)
        return message.withUnsafeBufferPointer {
            perc_demo_es256_verify(x, y, $0.baseAddress, $0.count, signature) == 1
        }
    }
}
