/// A JWS protected header (RFC 7515 §4.1) with the parameters this demo uses.
public struct JWSHeader: Codable, Sendable, Equatable {
    /// `alg` (RFC 7515 §4.1.1); only "ES256" is ever accepted.
    public var alg: String
    /// `typ` (RFC 7515 §4.1.9), e.g. "at+jwt", "dpop+jwt", "perc-roster+jwt".
    public var typ: String?
    /// `kid` (RFC 7515 §4.1.4); this demo puts the signing key's RFC 7638 thumbprint there.
    public var kid: String?
    /// `jwk` (RFC 7515 §4.1.3): the public key of a DPoP proof (RFC 9449 §4.2).
    public var jwk: JWK?

    /// A header; `alg` is ES256, the only algorithm this demo signs with.
    public init(alg: String = "ES256", typ: String? = nil, kid: String? = nil, jwk: JWK? = nil) {
        self.alg = alg
        self.typ = typ
        self.kid = kid
        self.jwk = jwk
    }

    private enum CodingKeys: String, CodingKey {
        case alg, typ, kid, jwk
    }

    private enum ExtensionKeys: String, CodingKey {
        case crit
    }

    public init(from decoder: any Decoder) throws {
        // RFC 7515 §4.1.11: a recipient that does not understand a listed critical extension must
        // reject the JWS; this one understands none.
        let extensions = try decoder.container(keyedBy: ExtensionKeys.self)
        if extensions.contains(.crit) {
            throw DecodingError.dataCorruptedError(
                forKey: .crit, in: extensions, debugDescription: "unsupported crit extension")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            alg: try container.decode(String.self, forKey: .alg),
            typ: try container.decodeIfPresent(String.self, forKey: .typ),
            kid: try container.decodeIfPresent(String.self, forKey: .kid),
            jwk: try container.decodeIfPresent(JWK.self, forKey: .jwk))
    }
}
