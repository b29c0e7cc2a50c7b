import Testing

@testable import PERC

/// The `Encryption-Key` header with `usage="EKT"`: grammar, strict values, import into the store,
/// export for delivery, and that key text never shows in errors or descriptions.
@Suite struct EncryptionKeyHeaderTests {
    /// The draft-01 example key (16 octets) and the spec example's salt.
    static let keyText = "9Z57YCb3dK95dSsdFJbkag"
    static let key = EKTTestSupport.bytes("f59e7b6026f774af79752b1d1496e46a")
    static let saltText = "oKGio6Slpqeoqaqr"
    static let valid =
        "keyid=\"pegh\"; key=\"\(keyText)\"; usage=\"EKT\"; spi=7; salt=\"\(saltText)\""

    /// Imports `value` into a fresh store and returns the store and the result.
    static func importing(_ value: String, scope: KeyScope = .unscoped) -> (
        KeyStore, Result<EncryptionKeyHeader.ImportedKey, EncryptionKeyHeaderError>
    ) {
        let store = KeyStore()
        let result = Result { () throws(EncryptionKeyHeaderError) in
            try store.importEKTKey(fromEncryptionKeyHeader: value, scope: scope)
        }
        return (store, result)
    }

    static func failure(_ value: String) -> EncryptionKeyHeaderError? {
        let (store, result) = importing(value)
        #expect(store.liveKeyCount == 0, "a failed import left a key behind")
        guard case .failure(let error) = result else { return nil }
        return error
    }

    /// The EKT key bytes the store holds for `handle`.
    static func storedKey(_ handle: KeyHandle, in store: KeyStore) throws -> [UInt8] {
        try store.withUnsealedKey(handle, for: .ekt) { bytes, length in Array(bytes[..<length]) }
            .result
    }

    static func storedSalt(_ handle: KeyHandle, in store: KeyStore) throws -> [UInt8] {
        try store.withUnsealedKey(handle, for: .ekt) { bytes, length in Array(bytes[length...]) }
            .result
    }

    // MARK: Accepted forms

    @Test func importsTheKeyAndItsParameterSet() throws {
        let (store, result) = Self.importing(Self.valid, scope: KeyScope("conf"))
        let imported = try result.get()
        #expect(imported.keyID == "pegh")
        #expect(imported.cipher == .aeskw128)
        #expect(imported.spi == 7)
        #expect(imported.handle.usage == .ekt)
        #expect(try Self.storedKey(imported.handle, in: store) == Self.key)
        #expect(
            try Self.storedSalt(imported.handle, in: store)
                == EKTTestSupport.SpecExample.salt)
        #expect(store.ektKey(spi: 7, scope: KeyScope("conf")) == imported.handle)
    }

    @Test(arguments: [
        // Tokens instead of quoted-strings, upper-case names, no space, tabs, padding.
        "keyid=pegh;key=9Z57YCb3dK95dSsdFJbkag;usage=EKT;spi=7;salt=oKGio6Slpqeoqaqr",
        "KeyID=\"pegh\"; KEY=\"9Z57YCb3dK95dSsdFJbkag\"; Usage=EKT; SPI=7; Salt=oKGio6Slpqeoqaqr",
        "  keyid=\"pegh\" ;\tkey=\"9Z57YCb3dK95dSsdFJbkag==\" ; usage=\"EKT\";spi=00007; "
            + "salt=\"oKGio6Slpqeoqaqr\"  ",
        // Escapes inside quoted-strings resolve; empty list elements are skipped.
        ", keyid=\"pe\\gh\"; key=\"9Z57YCb3dK95dSsdFJbkag\"; usage=\"E\\KT\"; spi=7; "
            + "salt=\"oKGio6Slpqeoqaqr\" ,,",
        // Explicit cipher and TTL.
        "keyid=pegh; key=9Z57YCb3dK95dSsdFJbkag; usage=EKT; spi=7; salt=oKGio6Slpqeoqaqr; "
            + "cipher=AESKW_128; ttl=3600",
    ])
    func acceptsEquivalentSpellings(_ value: String) throws {
        let (store, result) = Self.importing(value)
        let imported = try result.get()
        #expect(imported.keyID == "pegh")
        #expect(imported.spi == 7)
        #expect(try Self.storedKey(imported.handle, in: store) == Self.key)
    }

    @Test func keyIDMayBeAnyUTF8() throws {
        let (_, result) = Self.importing(Self.valid.replacing("pegh", with: "Qapla\u{2019}"))
        #expect(try result.get().keyID == "Qapla\u{2019}")
    }

    @Test func aeskw256FromKeyLengthOrName() throws {
        let key32 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"
        for cipher in ["", "; cipher=\"AESKW_256\""] {
            let (store, result) = Self.importing(
                "keyid=k; key=\(key32); usage=EKT; spi=65535; salt=AA\(cipher)")
            let imported = try result.get()
            #expect(imported.cipher == .aeskw256)
            #expect(imported.spi == 65535)
            #expect(try Self.storedKey(imported.handle, in: store) == (0..<32).map { UInt8($0) })
            #expect(try Self.storedSalt(imported.handle, in: store) == [0])
        }
    }

    @Test func ttlBecomesTheKeyLifetime() async throws {
        let store = KeyStore()
        let imported = try store.importEKTKey(
            fromEncryptionKeyHeader: Self.valid + "; ttl=1", expiresAfter: .milliseconds(30))
        try await Task.sleep(for: .milliseconds(80))
        #expect(throws: EKTError.keyStore(.keyExpired)) {
            try store.ektParameters(of: imported.handle)
        }
    }

    // MARK: Refused forms

    @Test func syntaxErrors() {
        let cases: [(String, EncryptionKeyHeaderError)] = [
            ("", .syntax(.empty, offset: 0)),
            ("  , ,", .syntax(.empty, offset: 0)),
            ("keyid", .syntax(.expectedEquals, offset: 5)),
            ("keyid =\"a\"", .syntax(.expectedEquals, offset: 5)),
            ("keyid= \"a\"", .syntax(.expectedValue, offset: 6)),
            ("keyid=", .syntax(.expectedValue, offset: 6)),
            ("=a", .syntax(.expectedToken, offset: 0)),
            ("keyid=a;", .syntax(.expectedToken, offset: 8)),
            ("keyid=a;;key=b", .syntax(.expectedToken, offset: 8)),
            ("keyid=\"abc", .syntax(.unterminatedQuotedString, offset: 6)),
            ("keyid=\"a\\", .syntax(.invalidCharacter, offset: 9)),
            ("keyid=\"a\u{01}b\"", .syntax(.invalidCharacter, offset: 8)),
            ("keyid=\"a\\\u{7F}\"", .syntax(.invalidCharacter, offset: 9)),
            ("keyid=\"a\"b", .syntax(.expectedSeparator, offset: 9)),
            ("keyid=a b=c", .syntax(.expectedSeparator, offset: 8)),
            ("keyid=a/b", .syntax(.expectedSeparator, offset: 7)),
            ("key(id)=a", .syntax(.expectedEquals, offset: 3)),
        ]
        for (value, expected) in cases {
            #expect(Self.failure(value) == expected, "\(value)")
        }
    }

    @Test func parameterErrors() {
        let base = "keyid=pegh; key=\(Self.keyText); usage=EKT; spi=7; salt=\(Self.saltText)"
        let cases: [(String, EncryptionKeyHeaderError)] = [
            (base + "; dh=abc", .unknownParameter(offset: base.utf8.count + 2)),
            (base + "; keyid=other", .duplicateParameter(.keyid)),
            (base + "; KEY=\(Self.keyText)", .duplicateParameter(.key)),
            (base + "; usage=EKT", .duplicateParameter(.usage)),
            (
                "keyid=pegh; key=\(Self.keyText); spi=7; salt=\(Self.saltText)",
                .missingParameter(.usage)
            ),
            (
                "usage=EKT; key=\(Self.keyText); spi=7; salt=\(Self.saltText)",
                .missingParameter(.keyid)
            ),
            ("keyid=pegh; usage=EKT; spi=7; salt=\(Self.saltText)", .missingParameter(.key)),
            (
                "keyid=pegh; key=\(Self.keyText); usage=EKT; salt=\(Self.saltText)",
                .missingParameter(.spi)
            ),
            ("keyid=pegh; key=\(Self.keyText); usage=EKT; spi=7", .missingParameter(.salt)),
            (base.replacing("usage=EKT", with: "usage=aesgcm128"), .usageNotEKT),
            (base.replacing("usage=EKT", with: "usage=ekt"), .usageNotEKT),
            (base.replacing("usage=EKT", with: "usage=\"EKT \""), .usageNotEKT),
            (base.replacing("keyid=pegh", with: "keyid=\"\""), .invalidValue(.keyid)),
            (base + "; cipher=AESKW_192", .invalidValue(.cipher)),
            (base + "; cipher=aeskw_128", .invalidValue(.cipher)),
            (base + "; cipher=AESKW_256", .invalidKeyLength(16)),
            (base + "; ttl=0", .invalidValue(.ttl)),
            (base + "; ttl=16777216", .invalidValue(.ttl)),
            (base + "; ttl=-1", .invalidValue(.ttl)),
            (base + "; ttl=1.5", .invalidValue(.ttl)),  // '.' is a tchar: one token
            (base.replacing("spi=7", with: "spi=65536"), .invalidValue(.spi)),
            (base.replacing("spi=7", with: "spi=+7"), .invalidValue(.spi)),
            (base.replacing("spi=7", with: "spi=0x7"), .invalidValue(.spi)),
            (base.replacing("spi=7", with: "spi=\"\""), .invalidValue(.spi)),
            (base.replacing("spi=7", with: "spi=99999999999"), .invalidValue(.spi)),
            (base + ", " + base, .multipleKeyDescriptions),
        ]
        for (value, expected) in cases {
            #expect(Self.failure(value) == expected, "\(value)")
        }
    }

    @Test func keyValueErrors() {
        func header(key: String) -> String {
            "keyid=pegh; key=\"\(key)\"; usage=EKT; spi=7; salt=\(Self.saltText)"
        }
        let invalid: [String] = [
            "",  // empty
            "9Z57YCb3dK95dSsdFJbka",  // 21 symbols: a length no encoding has (4n+1)
            "9Z57YCb3dK95dSsdFJbkag=",  // one '=' where two are needed
            "9Z57YCb3dK95dSsdFJbkag===",  // too much padding
            "9Z57YCb3dK95dSsdFJbk=ag",  // padding inside
            "9Z57YCb3dK95dSsdFJbkah",  // unused trailing bits set (not canonical)
            "9Z57YCb3dK95dSsdFJbk+g",  // standard base64 alphabet, not base64url
            "9Z57YCb3dK95dSsdFJbk/g",
            "9Z57YCb3dK95 dSsdFJbkag",  // whitespace
            "9Z57YCb3dK95dSsdFJbka\u{E9}",  // non-ASCII
            "====",
        ]
        for key in invalid {
            #expect(Self.failure(header(key: key)) == .invalidValue(.key), "\(key)")
        }
        // Well-formed but the wrong size for any EKT cipher.
        for (key, length) in [
            ("AA", 1), ("9Z57YCb3dK95dSsdFJbkagAA", 18),
            ("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 34),
        ] {
            #expect(Self.failure(header(key: key)) == .invalidKeyLength(length), "\(key)")
        }
        // Salt: strict base64url and 1...256 octets.
        let base = "keyid=pegh; key=\(Self.keyText); usage=EKT; spi=7; salt="
        for salt in ["\"\"", "A", "oKGio6Slpqeoqa+r", String(repeating: "A", count: 344)] {
            #expect(Self.failure(base + salt) == .invalidValue(.salt), "\(salt)")
        }
        #expect(throws: Never.self) {
            try Self.importing(base + String(repeating: "A", count: 342)).1.get()  // 256 octets
        }
    }

    @Test func duplicateSPIIsRefusedByTheStore() throws {
        let store = KeyStore()
        _ = try store.importEKTKey(fromEncryptionKeyHeader: Self.valid)
        #expect(throws: EncryptionKeyHeaderError.ekt(.duplicateSPI(7))) {
            try store.importEKTKey(fromEncryptionKeyHeader: Self.valid)
        }
        #expect(store.liveKeyCount == 1)
    }

    // MARK: Export

    @Test func exportRoundTripsThroughImport() throws {
        let kmf = KeyStore()
        let ekt = try kmf.generateEKTKey(
            cipher: .aeskw256, spi: 4242, masterSaltLength: 12, expiresAfter: .seconds(3600))
        let value = try EncryptionKeyHeader.exportForDelivery(
            ektKey: ekt, keyID: "conf \"42\" \\ main", from: kmf)
        #expect(value.hasPrefix("keyid=\"conf \\\"42\\\" \\\\ main\"; key=\""))
        #expect(value.contains("; usage=\"EKT\"; spi=4242; salt=\""))
        #expect(value.contains("; cipher=\"AESKW_256\"; ttl="))

        let endpoint = KeyStore()
        let imported = try endpoint.importEKTKey(fromEncryptionKeyHeader: value)
        #expect(imported.keyID == "conf \"42\" \\ main")
        #expect(imported.cipher == .aeskw256)
        #expect(imported.spi == 4242)
        #expect(try Self.storedKey(imported.handle, in: endpoint) == Self.storedKey(ekt, in: kmf))
        #expect(
            try Self.storedSalt(imported.handle, in: endpoint) == Self.storedSalt(ekt, in: kmf))
        // The remaining lifetime travels as ttl.
        let ttl = try #require(value.split(separator: "ttl=").last.flatMap { Int($0) })
        #expect((3590...3600).contains(ttl))
    }

    @Test func exportOfTheDraftKeyIsExact() throws {
        let store = KeyStore()
        let handle = try store.importEKTKey(
            Self.key,
            parameters: EKTParameters(
                cipher: .aeskw128, spi: 7, masterSalt: EKTTestSupport.SpecExample.salt))
        #expect(
            try EncryptionKeyHeader.exportForDelivery(ektKey: handle, keyID: "pegh", from: store)
                == "keyid=\"pegh\"; key=\"\(Self.keyText)\"; usage=\"EKT\"; spi=7; "
                + "salt=\"\(Self.saltText)\"; cipher=\"AESKW_128\"")
    }

    @Test func exportRefusals() throws {
        let store = KeyStore()
        let ekt = try store.generateEKTKey(cipher: .aeskw128, spi: 1, masterSaltLength: 12)
        let master = try store.generateSRTPMasterKey(for: .aeadAES128GCM)
        for keyID in ["", "caf\u{E9}", "a\nb"] {
            #expect(throws: EncryptionKeyHeaderError.invalidValue(.keyid)) {
                try EncryptionKeyHeader.exportForDelivery(ektKey: ekt, keyID: keyID, from: store)
            }
        }
        #expect(
            throws: EncryptionKeyHeaderError.ekt(
                .keyStore(.keyUsageNotPermitted(expected: .ekt, actual: .srtpMaster)))
        ) {
            try EncryptionKeyHeader.exportForDelivery(ektKey: master, keyID: "a", from: store)
        }
        store.revoke(ekt)
        #expect(throws: EncryptionKeyHeaderError.ekt(.keyStore(.keyRevoked))) {
            try EncryptionKeyHeader.exportForDelivery(ektKey: ekt, keyID: "a", from: store)
        }
    }

    // MARK: base64url

    @Test func base64urlKnownAnswers() {
        // RFC 4648 §10, in the URL alphabet without padding, and the two URL-only symbols.
        let cases: [(String, [UInt8])] = [
            ("", []), ("Zg", Array("f".utf8)), ("Zm8", Array("fo".utf8)),
            ("Zm9v", Array("foo".utf8)), ("Zm9vYg", Array("foob".utf8)),
            ("Zm9vYmE", Array("fooba".utf8)), ("Zm9vYmFy", Array("foobar".utf8)),
            ("-_-_", [0xFB, 0xFF, 0xBF]),
        ]
        for (text, bytes) in cases {
            #expect(bytes.withUnsafeBytes { Base64URL.encode($0) } == text)
            let input = Array(text.utf8)[...]
            #expect(Base64URL.decodedCount(input) == bytes.count)
            var out = [UInt8](repeating: 0, count: bytes.count)
            #expect(out.withUnsafeMutableBytes { Base64URL.decode(input, into: $0) })
            #expect(out == bytes)
        }
    }

    @Test func base64urlRoundTripsEveryLength() {
        for count in 0...70 {
            let bytes = (0..<count).map { UInt8(($0 * 37 + count) & 0xFF) }
            let text = bytes.withUnsafeBytes { Base64URL.encode($0) }
            #expect(!text.contains("="))
            let input = Array(text.utf8)[...]
            var out = [UInt8](repeating: 0, count: count)
            #expect(Base64URL.decodedCount(input) == count)
            #expect(out.withUnsafeMutableBytes { Base64URL.decode(input, into: $0) })
            #expect(out == bytes)
            // With padding, it decodes the same.
            let padded = Array(
                (text + String(repeating: "=", count: (4 - text.count % 4) % 4)).utf8)
            #expect(Base64URL.decodedCount(padded[...]) == count)
        }
    }

    // MARK: Secrecy

    @Test func keyTextNeverAppearsInErrorsOrDescriptions() throws {
        // Malformed headers whose failure lies at or after the key: the error must not echo it.
        let secretText = "Qk9PTV9ib29tX0JPT01fYm9vbQ"  // decodes to 19 octets
        let secretBytes = Array("BOOM_boom_BOOM_boom".utf8)
        let values = [
            "keyid=a; key=\(secretText); usage=EKT; spi=1; salt=AA",
            "keyid=a; key=\"\(secretText)\"; usage=EKT; spi=1; salt=AA; \(secretText)=1",
            "keyid=a; key=\"\(secretText)",
            "keyid=a; key=\"\(secretText)\" \(secretText)",
            "keyid=a; key=\"\(secretText)\u{01}\"",
            "keyid=a; key=\(secretText)+; usage=EKT; spi=1; salt=AA",
            "keyid=a; key=\(secretText); key=\(secretText); usage=EKT; spi=1; salt=AA",
            "keyid=a; key=\(secretText); usage=\(secretText); spi=1; salt=AA",
        ]
        for value in values {
            let error = try #require(Self.failure(value))
            for text in [String(describing: error), String(reflecting: error)] {
                #expect(!text.contains(secretText), "\(text)")
                #expect(!text.contains("BOOM"), "\(text)")
            }
            var dumped = ""
            dump(error, to: &dumped)
            #expect(!dumped.contains(secretText))
        }
        // A successful import prints only names and numbers.
        let (_, result) = Self.importing(Self.valid)
        let imported = try result.get()
        for text in [String(describing: imported), String(reflecting: imported)] {
            #expect(!text.contains(Self.keyText))
            #expect(!text.contains(Self.saltText))
            #expect(!text.contains(EKTTestSupport.hex(Self.key)))
        }
        #expect(secretBytes.count == 19)
    }
}
