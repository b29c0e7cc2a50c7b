internal import CPERCDemoCrypto
import PERC

/// Password storage for the demo's enterprise directory: PBKDF2-HMAC-SHA-256 (RFC 8018 §5.2) with
/// a random 16-octet salt, encoded as `pbkdf2-sha256$<iterations>$<salt>$<hash>` (base64url), and
/// checked in constant time.
public struct PasswordHash: Sendable {
    static let scheme = "pbkdf2-sha256"
    /// OWASP Password Storage Cheat Sheet (2023) figure for PBKDF2-HMAC-SHA-256.
    static let defaultIterations = 600_000
    /// Accepted iteration counts when verifying: enough to refuse weakened encodings, bounded so a
    /// stored value cannot make one check run for minutes.
    static let acceptedIterations = 10_000...10_000_000
    static let saltLength = 16
    static let hashLength = 32

    /// A fresh encoding of `password` with a random salt.
    public static func make(password: String) throws(AuthError) -> String {
        try make(password: password, iterations: defaultIterations)
    }

    /// A fresh encoding of `password` with a random salt and `iterations` rounds.
    static func make(password: String, iterations: Int) throws(AuthError) -> String {
        let salt = try DemoCrypto.randomBytes(count: saltLength)
        var hash = try derive(password: password, salt: salt, iterations: iterations)
        defer { DemoCrypto.wipe(&hash) }
        return [scheme, String(iterations), Base64URL.encode(salt), Base64URL.encode(hash)]
            .joined(separator: "$")
    }

    /// Whether `password` matches `encoded`; false for any malformed or out-of-range encoding.
    public static func verify(password: String, against encoded: String) -> Bool {
        let fields = encoded.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == scheme,
            let iterations = Int(fields[1]), acceptedIterations.contains(iterations),
            String(iterations) == fields[1],
            let salt = Base64URL.decodeUnpadded(fields[2]), salt.count >= saltLength,
            let expected = Base64URL.decodeUnpadded(fields[3]), expected.count == hashLength,
            var actual = try? derive(password: password, salt: salt, iterations: iterations)
        else { return false }
        defer { DemoCrypto.wipe(&actual) }
        return DemoCrypto.constantTimeEqual(actual, expected)
    }

    /// PBKDF2-HMAC-SHA-256(password, salt, iterations) → 32 octets; the password's UTF-8 copy is
    /// wiped afterwards.
    private static func derive(password: String, salt: [UInt8], iterations: Int)
        throws(AuthError) -> [UInt8]
    {
        var secret = Array(password.utf8)
        defer { DemoCrypto.wipe(&secret) }
        var hash = [UInt8](repeating: 0, count: hashLength)
        let ok = secret.withUnsafeBufferPointer { password in
            perc_demo_pbkdf2_sha256(
                password.baseAddress, password.count, salt, salt.count, UInt32(iterations), &hash,
                hash.count)
        }
        guard ok == 1 else { throw DemoCrypto.takeError("PBKDF2") }
        return hash
    }
}
