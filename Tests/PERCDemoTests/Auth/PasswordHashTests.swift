import PERC
import Testing

@testable import PERCDemo

@Suite struct PasswordHashTests {
    @Test func rightPasswordAcceptedWrongRefused() throws {
        let encoded = try PasswordHash.make(password: "correct horse")
        let fields = encoded.split(separator: "$")
        #expect(fields.count == 4 && fields[0] == "pbkdf2-sha256" && fields[1] == "600000")
        #expect(PasswordHash.verify(password: "correct horse", against: encoded))
        #expect(!PasswordHash.verify(password: "correct horsE", against: encoded))
        #expect(!PasswordHash.verify(password: "", against: encoded))
        #expect(try PasswordHash.make(password: "correct horse") != encoded)  // fresh salt
    }

    /// Computed independently in the shell: `python3 -c 'import hashlib,base64;
    /// s=b"perc-demo-salt16"; print(base64.urlsafe_b64encode(hashlib.pbkdf2_hmac("sha256",
    /// b"correct horse", s, 10000, 32)))'` (salt and hash base64url, padding dropped).
    @Test func verifiesExternalEncoding() {
        let encoded =
            "pbkdf2-sha256$10000$cGVyYy1kZW1vLXNhbHQxNg$9s2xR4OGXpI0E2C4LoJQw5hAAhFxMqb7tNpzmYMy9TQ"
        #expect(PasswordHash.verify(password: "correct horse", against: encoded))
        #expect(!PasswordHash.verify(password: "correct horse ", against: encoded))
    }

    @Test func tamperedEncodingRefused() throws {
        let encoded = try PasswordHash.make(password: "pw", iterations: 10_000)
        #expect(PasswordHash.verify(password: "pw", against: encoded))
        let fields = encoded.split(separator: "$").map(String.init)
        var hash = try #require(Base64URL.decode(fields[3]))
        hash[0] ^= 1
        func joined(_ parts: String...) -> String { parts.joined(separator: "$") }
        let tampered: [String] = [
            "", encoded + "$", joined("pbkdf2-sha1", fields[1], fields[2], fields[3]),
            joined(fields[0], "10001", fields[2], fields[3]),
            joined(fields[0], "010000", fields[2], fields[3]),
            joined(fields[0], "1", fields[2], fields[3]),
            joined(fields[0], "99999999999", fields[2], fields[3]),
            joined(fields[0], fields[1], Base64URL.encode("short".utf8), fields[3]),
            joined(fields[0], fields[1], fields[2], Base64URL.encode(hash)),
            joined(fields[0], fields[1], fields[2], String(fields[3].dropLast())),
            joined(fields[0], fields[1], fields[2], fields[3] + "="),
            joined(fields[0], fields[1], fields[2], "!" + fields[3].dropFirst()),
        ]
        for encoding in tampered {
            #expect(!PasswordHash.verify(password: "pw", against: encoding))
        }
    }
}
