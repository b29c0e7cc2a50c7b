import PERC
import Testing

@testable import PERCDemo

@Suite struct JWSTests {
    struct Payload: Codable, Equatable {
        let sub: String
        let n: Int
    }

    @Test func signVerifyRoundTrip() throws {
        let key = try ES256PrivateKey()
        let header = JWSHeader(typ: "JWT", kid: "k1")
        let compact = try JWS.sign(header: header, payload: Payload(sub: "alice", n: 7), key: key)
        let (decodedHeader, payload) = try JWS.verify(compact, key: key.publicKey)
        #expect(decodedHeader == header)
        #expect(String(decoding: payload, as: UTF8.self) == #"{"n":7,"sub":"alice"}"#)
        #expect(try JWS.unverifiedHeader(compact) == header)
        let first = compact.split(separator: ".")[0]
        #expect(Base64URL.decode(first) == Array(#"{"alg":"ES256","kid":"k1","typ":"JWT"}"#.utf8))
    }

    /// An ES256 JWS made elsewhere, with its signer's public coordinates.
    struct ExternalVector: Sendable, CustomTestStringConvertible {
        let name: String
        let x: String
        let y: String
        let compact: String
        let header: JWSHeader
        let payload: String
        var testDescription: String { name }
    }

    static let externalVectors = [
        // RFC 7515 Appendix A.3, the ES256 example (checked with python3 `cryptography` first).
        ExternalVector(
            name: "RFC 7515 A.3", x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
            y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0",
            compact: [
                "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh",
                "0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6",
                "-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
            ].joined(),
            header: JWSHeader(),
            payload:
                "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}"
        ),
        // Generated once with python3 `cryptography` 48.0.0: a fresh P-256 key, the header and
        // payload base64url-encoded, ECDSA-SHA256 over "header.payload", the DER signature
        // converted to r ‖ s (32 octets each), base64url.
        ExternalVector(
            name: "python cryptography", x: "7j434R8Q_D2gyfnAy-2hQKB9hNmUdf1qnKkeBWVAgqk",
            y: "qlsbw7RgGZKUX2S8sEHw9VbkkvuYJxTiVR0lw4ADGVE",
            compact: [
                "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJweXRob24tY3J5cHRvZ3JhcGh",
                "5IiwibiI6MX0.Vmh01M9YL6z1gDrp-cnMpoWLOuajuV5H1ATELfjc7-BNj1Dkdw1ukpNYUtl",
                "ZF_lrMbn5yRJSWIEoErcOKSOWQA",
            ].joined(),
            header: JWSHeader(typ: "JWT"), payload: #"{"iss":"python-cryptography","n":1}"#),
    ]

    @Test(arguments: externalVectors) func verifiesExternalJWS(_ vector: ExternalVector) throws {
        let key = try ES256PublicKey(
            jwk: JWK(kty: "EC", crv: "P-256", x: vector.x, y: vector.y))
        let (header, payload) = try JWS.verify(vector.compact, key: key)
        #expect(header == vector.header)
        #expect(payload == Array(vector.payload.utf8))
        let otherKey = try ES256PrivateKey().publicKey
        #expect(throws: AuthError.badSignature) { try JWS.verify(vector.compact, key: otherKey) }
    }

    @Test func everyBitFlipRefused() throws {
        let key = try ES256PrivateKey()
        let compact = try JWS.sign(
            header: JWSHeader(typ: "JWT"), payload: Payload(sub: "bob", n: 1), key: key)
        let bytes = Array(compact.utf8)
        for bit in 0..<(bytes.count * 8) {
            var flipped = bytes
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            let tampered = String(decoding: flipped, as: UTF8.self)
            #expect(throws: AuthError.self) { try JWS.verify(tampered, key: key.publicKey) }
        }
    }

    @Test func otherAlgorithmsRefused() throws {
        let key = try ES256PrivateKey()
        let payload = #"{"sub":"mallory"}"#
        for alg in ["none", "HS256", "RS256", "ES384", "es256"] {
            let compact = try AuthTestSupport.compact(
                header: #"{"alg":"\#(alg)"}"#, payload: payload, key: key)
            #expect(throws: AuthError.unsupportedAlgorithm) {
                try JWS.verify(compact, key: key.publicKey)
            }
        }
        // An unsecured JWS (RFC 7515 §A.5): alg none and an empty signature part.
        let unsecured =
            "\(Base64URL.encode(#"{"alg":"none"}"#.utf8)).\(Base64URL.encode(payload.utf8))."
        #expect(throws: AuthError.self) { try JWS.verify(unsecured, key: key.publicKey) }
        // The signer refuses to label a signature with another algorithm.
        #expect(throws: AuthError.unsupportedAlgorithm) {
            try JWS.sign(header: JWSHeader(alg: "none"), payload: payload, key: key)
        }
    }

    @Test func malformedInputsRefused() throws {
        let key = try ES256PrivateKey()
        let good = try JWS.sign(
            header: JWSHeader(), payload: Payload(sub: "carol", n: 2), key: key)
        let parts = good.split(separator: ".").map(String.init)
        let malformed = [
            "", ".", "..", parts[0], "\(parts[0]).\(parts[1])", "\(good).\(parts[2])",
            "\(parts[0])..\(parts[2])", "\(parts[0]).\(parts[1]).",
            AuthTestSupport.replacingPart(0, of: good, with: "!!!"),
            AuthTestSupport.replacingPart(0, of: good, with: parts[0] + "="),
            AuthTestSupport.replacingPart(0, of: good, with: Base64URL.encode("not json".utf8)),
            AuthTestSupport.replacingPart(
                0, of: good, with: Base64URL.encode(#"{"typ":"JWT"}"#.utf8)),
            AuthTestSupport.replacingPart(2, of: good, with: parts[2] + "A"),
        ]
        for compact in malformed {
            #expect(throws: AuthError.self) { try JWS.verify(compact, key: key.publicKey) }
        }
    }

    @Test func criticalExtensionsRefused() throws {
        let key = try ES256PrivateKey()
        let compact = try AuthTestSupport.compact(
            header: #"{"alg":"ES256","crit":["exp"],"exp":1}"#, payload: "{}", key: key)
        #expect(throws: AuthError.self) { try JWS.verify(compact, key: key.publicKey) }
    }
}
