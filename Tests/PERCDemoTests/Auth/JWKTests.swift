import Foundation
import Testing

@testable import PERCDemo

@Suite struct JWKTests {
    /// RFC 7517 Appendix A.1's EC public key.
    static var rfc7517Key: Data {
        Data(
            """
            {"kty":"EC","crv":"P-256","x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
             "y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM","use":"enc","kid":"1"}
            """.utf8)
    }

    /// Expected value computed independently in the shell:
    /// `python3 -c 'import hashlib,base64,json; s=json.dumps({"crv":"P-256","kty":"EC",
    /// "x":"MKBC…","y":"4Etl…"},separators=(",",":"),sort_keys=True);
    /// print(base64.urlsafe_b64encode(hashlib.sha256(s.encode()).digest()).rstrip(b"="))'`.
    @Test func rfc7638ThumbprintKnownAnswer() throws {
        let jwk = try JSONDecoder().decode(JWK.self, from: Self.rfc7517Key)
        let key = try ES256PublicKey(jwk: jwk)
        #expect(key.thumbprint == "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s")
    }

    @Test func decodingRefusesPrivateKeyMembers() throws {
        let withD = #"{"kty":"EC","crv":"P-256","x":"a","y":"b","d":"c"}"#
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(JWK.self, from: Data(withD.utf8))
        }
    }

    @Test func encodesOnlyPublicMembersSorted() throws {
        let jwk = try ES256PrivateKey().publicKey.jwk
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(jwk), as: UTF8.self)
        #expect(text == #"{"crv":"P-256","kty":"EC","x":"\#(jwk.x)","y":"\#(jwk.y)"}"#)
    }
}
