/// A `Roster` as an ES256 JWS with `typ` "perc-roster+jwt", signed by the KMF's roster key.
public enum SignedRoster {
    /// The JWS `typ` of a signed roster.
    static let type = "perc-roster+jwt"

    /// `roster` signed with `key` (the `kid` is the key's thumbprint).
    public static func sign(_ roster: Roster, key: ES256PrivateKey) throws(AuthError) -> String {
        let header = JWSHeader(typ: type, kid: key.publicKey.thumbprint)
        return try JWS.sign(header: header, payload: roster, key: key)
    }

    /// The roster in `jws` if it is signed by `key` and typed "perc-roster+jwt".
    public static func verify(_ jws: String, key: ES256PublicKey) throws(AuthError) -> Roster {
        let (header, payload) = try JWS.verify(jws, key: key)
        guard header.typ == type else { throw .wrongType }
        return try JSON.decode(Roster.self, from: payload, what: "roster")
    }
}
