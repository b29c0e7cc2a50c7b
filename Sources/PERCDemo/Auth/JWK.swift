/// A public EC P-256 JSON Web Key (RFC 7517 §4, RFC 7518 §6.2.1). Decoding refuses private key
/// members, so a value of this type never carries a private key.
public struct JWK: Codable, Sendable, Equatable {
    /// Key type: "EC".
    public let kty: String
    /// Curve: "P-256".
    public let crv: String
    /// base64url of the 32-octet big-endian x coordinate.
    public let x: String
    /// base64url of the 32-octet big-endian y coordinate.
    public let y: String

    private enum CodingKeys: String, CodingKey {
        case kty, crv, x, y
    }

    /// Private key members of the key types RFC 7518 §6 defines (EC `d`; RSA `d`, `p`, `q`, `dp`,
    /// `dq`, `qi`, `oth`; oct `k`).
    private struct PrivateMember: CodingKey {
        static let names = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"]
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(kty: String, crv: String, x: String, y: String) {
        self.kty = kty
        self.crv = crv
        self.x = x
        self.y = y
    }

    public init(from decoder: any Decoder) throws {
        // RFC 9449 §4.3 step 7: the key in a proof must not be a private key.
        let all = try decoder.container(keyedBy: PrivateMember.self)
        if let member = PrivateMember.names.first(where: {
            all.contains(PrivateMember(stringValue: $0))
        }) {
            throw DecodingError.dataCorruptedError(
                forKey: PrivateMember(stringValue: member), in: all,
                debugDescription: "JWK carries private key member \"\(member)\"")
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kty: try container.decode(String.self, forKey: .kty),
            crv: try container.decode(String.self, forKey: .crv),
            x: try container.decode(String.self, forKey: .x),
            y: try container.decode(String.self, forKey: .y))
    }

    /// The RFC 7638 §3.2 thumbprint input for an EC key: the required members only, in
    /// lexicographic order, no whitespace. Only called on validated keys, whose members need no
    /// JSON escaping (fixed "EC"/"P-256" and base64url text).
    var thumbprintInput: String {
        #"{"crv":"\#(crv)","kty":"\#(kty)","x":"\#(x)","y":"\#(y)"}"#
    }
}
