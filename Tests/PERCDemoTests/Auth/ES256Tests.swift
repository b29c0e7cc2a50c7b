import PERC
import Testing

@testable import PERCDemo

@Suite struct ES256Tests {
    @Test func signVerifyRoundTrip() throws {
        let key = try ES256PrivateKey()
        let message = Array("PERC demo".utf8)
        let signature = try key.sign(message)
        #expect(signature.count == 64)
        #expect(key.publicKey.isValidSignature(signature, for: message))
        #expect(!key.publicKey.isValidSignature(signature, for: Array("PERC demo!".utf8)))
        #expect(!key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        #expect(!(try ES256PrivateKey()).publicKey.isValidSignature(signature, for: message))
    }

    @Test func everyBitFlipOfSignatureRefused() throws {
        let key = try ES256PrivateKey()
        let message = Array("flip".utf8)
        let signature = try key.sign(message)
        for bit in 0..<(signature.count * 8) {
            var flipped = signature
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!key.publicKey.isValidSignature(flipped, for: message))
        }
    }

    @Test func oneKeySignsFromManyTasks() async throws {
        let key = try ES256PrivateKey()
        let valid = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<8 {
                group.addTask {
                    let message = Array("task \(task)".utf8)
                    return key.publicKey.isValidSignature(try key.sign(message), for: message)
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(valid == 8)
    }

    /// Generated once with python3 `cryptography` 48.0.0: `ec.generate_private_key(SECP256R1())`,
    /// `sign(message, ECDSA(SHA256()))`, `decode_dss_signature` → r ‖ s as 32-octet big-endian
    /// each (hex below); x/y are the public numbers, base64url.
    @Test func verifiesExternalSignature() throws {
        let jwk = JWK(
            kty: "EC", crv: "P-256", x: "7j434R8Q_D2gyfnAy-2hQKB9hNmUdf1qnKkeBWVAgqk",
            y: "qlsbw7RgGZKUX2S8sEHw9VbkkvuYJxTiVR0lw4ADGVE")
        let key = try ES256PublicKey(jwk: jwk)
        let signature = hex(
            "a8833f59c5f2fb0f9b6f33f5872ee127eee4f316e4221573473b00c984979e1a"
                + "a9d7d9cadef693f4f00204e643b6d51a5718cd6b2057a11ef2db030db18030c7")
        let message = Array("perc demo external ES256 vector".utf8)
        #expect(key.isValidSignature(signature, for: message))
        #expect(
            !key.isValidSignature(signature, for: Array("perc demo external ES256 vectoR".utf8)))
    }

    @Test func publicKeyRefusesInvalidJWK() throws {
        let valid = try ES256PrivateKey().publicKey.jwk
        let offCurve = Base64URL.encode([UInt8](repeating: 0x11, count: 32))
        let cases = [
            JWK(kty: "RSA", crv: valid.crv, x: valid.x, y: valid.y),
            JWK(kty: valid.kty, crv: "P-384", x: valid.x, y: valid.y),
            JWK(kty: valid.kty, crv: valid.crv, x: String(valid.x.dropLast()), y: valid.y),
            JWK(kty: valid.kty, crv: valid.crv, x: valid.x + "=", y: valid.y),
            JWK(kty: valid.kty, crv: valid.crv, x: valid.x, y: offCurve),
        ]
        for jwk in cases {
            #expect(throws: AuthError.self) { try ES256PublicKey(jwk: jwk) }
        }
        #expect(try ES256PublicKey(jwk: valid).jwk == valid)
    }

    @Test func privateKeyDescriptionIsRedacted() throws {
        let key = try ES256PrivateKey()
        var dumped = ""
        dump(key, to: &dumped)
        let pem = key.withPKCS8PEM { String(decoding: $0, as: UTF8.self) }
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let body = pem.split(separator: "\n")[1]
        for text in [key.description, key.debugDescription, String(reflecting: key), dumped] {
            #expect(!text.contains(body))
        }
        #expect(key.description.contains(key.publicKey.thumbprint))
    }

    private func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.utf8)
        return stride(from: 0, to: digits.count, by: 2).map {
            UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
        }
    }
}
