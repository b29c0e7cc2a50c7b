import Testing

@testable import PERC

/// The DTLS-SRTP EKT messages (RFC 8870 §5.2): `supported_ekt_ciphers` and the `EKTKey`
/// handshake message body, with every truncation and the import into the store.
@Suite struct DTLSEKTMessagesTests {
    /// spec/ekt.md §7.2: k = 16, s = 12, SPI 1, TTL 3600 s, 37 octets.
    static let body = EKTTestSupport.bytes(
        "0010 0f0e0d0c0b0a09080706050403020100 000c a0a1a2a3a4a5a6a7a8a9aaab 0001 000e10")

    // MARK: supported_ekt_ciphers

    @Test func constantsAreTheIANAValues() {
        #expect(SupportedEKTCiphers.extensionType == 39)
        #expect(EKTKeyMessage.handshakeType == 26)
        #expect(EKTCipher.aeskw128.tlsValue == 1)
        #expect(EKTCipher.aeskw256.tlsValue == 2)
        #expect(EKTCipher(tlsValue: 0) == nil)  // reserved
    }

    @Test func offerMatchesTheSpecBytes() throws {
        // "00 27 00 03 02 02 01": type 39, length 3, extension_data 02 02 01.
        #expect(try SupportedEKTCiphers.encodeOffer([.aeskw256, .aeskw128]) == [0x02, 0x02, 0x01])
        #expect(try SupportedEKTCiphers.decodeOffer([0x02, 0x02, 0x01]) == [.aeskw256, .aeskw128])
        #expect(try SupportedEKTCiphers.encodeOffer([.aeskw128]) == [0x01, 0x01])
    }

    @Test func selectionMatchesTheSpecBytes() throws {
        // "00 27 00 01 01": the server selects AESKW128.
        #expect(SupportedEKTCiphers.encodeSelection(.aeskw128) == [0x01])
        #expect(
            try SupportedEKTCiphers.decodeSelection([0x01], offered: [.aeskw256, .aeskw128])
                == .aeskw128)
    }

    @Test func offerSkipsUnknownAndRepeatedValues() throws {
        #expect(
            try SupportedEKTCiphers.decodeOffer([0x06, 0x00, 0x09, 0x02, 0x01, 0x02, 0xFF])
                == [.aeskw256, .aeskw128])
        #expect(try SupportedEKTCiphers.decodeOffer([0x01, 0x07]) == [])
    }

    @Test func offerLengthsAreStrict() {
        let cases: [([UInt8], EKTError)] = [
            ([], .malformed(.truncated)),
            ([0x00], .malformed(.vectorLength)),  // <1..255>: an empty list
            ([0x02, 0x01], .malformed(.truncated)),
            ([0x01, 0x01, 0x02], .malformed(.trailingData)),
            ([0x03, 0x01, 0x02], .malformed(.truncated)),
        ]
        for (data, expected) in cases {
            #expect(throws: expected, "\(data)") { try SupportedEKTCiphers.decodeOffer(data) }
        }
        #expect(throws: EKTError.self) { try SupportedEKTCiphers.encodeOffer([]) }
        #expect(throws: EKTError.self) {
            try SupportedEKTCiphers.encodeOffer(Array(repeating: .aeskw128, count: 256))
        }
    }

    @Test func selectionMustBeOneOctetThatWasOffered() {
        #expect(throws: EKTError.malformed(.truncated)) {
            try SupportedEKTCiphers.decodeSelection([], offered: [.aeskw128])
        }
        #expect(throws: EKTError.malformed(.trailingData)) {
            try SupportedEKTCiphers.decodeSelection([0x01, 0x01], offered: [.aeskw128])
        }
        for value: UInt8 in [0x00, 0x03, 0xFF] {
            #expect(throws: EKTError.unsupportedCipher(value)) {
                try SupportedEKTCiphers.decodeSelection([value], offered: EKTCipher.allCases)
            }
        }
        #expect(throws: EKTError.unsupportedCipher(2)) {
            try SupportedEKTCiphers.decodeSelection([0x02], offered: [.aeskw128])
        }
    }

    // MARK: EKTKey

    @Test func importsTheSpecBody() throws {
        let store = KeyStore()
        let handle = try store.importEKTKey(
            fromDTLSMessage: Self.body, cipher: .aeskw128, scope: KeyScope("c"))
        #expect(try store.ektParameters(of: handle) == (.aeskw128, 1))
        #expect(store.ektKey(spi: 1, scope: KeyScope("c")) == handle)
        let stored = try store.withUnsealedKey(handle, for: .ekt) { bytes, length in
            (Array(bytes[..<length]), Array(bytes[length...]))
        }.result
        #expect(stored.0 == EKTTestSupport.SpecExample.ektKey)
        #expect(stored.1 == EKTTestSupport.SpecExample.salt)
        // The imported key unwraps the spec's FullEKTField.
        guard case .full(let field) = try EKTField.parse(EKTTestSupport.SpecExample.field).field
        else {
            Issue.record("not full")
            return
        }
        let unwrapped = try store.unwrapFullEKTField(
            field, scope: KeyScope("c"), packetSSRC: EKTTestSupport.SpecExample.ssrc,
            expectedMasterKeyLength: 16)
        #expect(unwrapped.roc == 0)
    }

    @Test func truncationAtEveryLengthIsRejectedAndImportsNothing() {
        let store = KeyStore()
        for length in 0..<Self.body.count {
            #expect(throws: EKTError.self, "\(length) octets") {
                try store.importEKTKey(
                    fromDTLSMessage: Array(Self.body[..<length]), cipher: .aeskw128)
            }
        }
        #expect(store.liveKeyCount == 0)
    }

    @Test func truncationReasons() {
        let store = KeyStore()
        func reason(_ body: [UInt8]) -> EKTError? {
            do {
                _ = try store.importEKTKey(fromDTLSMessage: body, cipher: .aeskw128)
                return nil
            } catch {
                return error
            }
        }
        // Cut inside a length, inside a vector, inside SPI or TTL: truncated.
        for length in [0, 1, 2, 17, 18, 19, 30, 31, 32, 33, 34, 36] {
            #expect(reason(Array(Self.body[..<length])) == .malformed(.truncated), "\(length)")
        }
        #expect(reason(Self.body + [0x00]) == .malformed(.trailingData))
        #expect(store.liveKeyCount == 0)
    }

    @Test func vectorBoundsAreEnforced() {
        let store = KeyStore()
        let salt: [UInt8] = [0x00, 0x01, 0xAA]
        let tail: [UInt8] = [0x00, 0x01, 0x00, 0x00, 0x3C]
        let key16: [UInt8] = [0x00, 0x10] + [UInt8](repeating: 7, count: 16)
        let cases: [([UInt8], EKTError)] = [
            // ekt_key_value<1..256>: 0 and 257 are out of bounds.
            ([0x00, 0x00] + salt + tail, .malformed(.vectorLength)),
            (
                [0x01, 0x01] + [UInt8](repeating: 7, count: 257) + salt + tail,
                .malformed(.vectorLength)
            ),
            // srtp_master_salt<1..256>.
            (key16 + [0x00, 0x00] + tail, .malformed(.vectorLength)),
            (
                key16 + [0x01, 0x01] + [UInt8](repeating: 1, count: 257) + tail,
                .malformed(.vectorLength)
            ),
            // A length that runs past the end.
            (key16 + [0x00, 0x20, 0x01] + tail, .malformed(.truncated)),
            // ekt_ttl 0 would make a key that can never be used.
            (key16 + salt + [0x00, 0x01, 0x00, 0x00, 0x00], .malformed(.zeroTTL)),
            // The key must fit the negotiated cipher.
            (
                [0x00, 0x20] + [UInt8](repeating: 7, count: 32) + salt + tail,
                .keyStore(.invalidKeyLength(expected: 16, actual: 32))
            ),
            (
                [0x00, 0x01, 0x07] + salt + tail,
                .keyStore(.invalidKeyLength(expected: 16, actual: 1))
            ),
        ]
        for (body, expected) in cases {
            #expect(throws: expected) {
                try store.importEKTKey(fromDTLSMessage: body, cipher: .aeskw128)
            }
        }
        #expect(store.liveKeyCount == 0)
        // The extremes that are allowed: a 256-octet salt, TTL 2^24 − 1.
        let widest =
            key16 + [0x01, 0x00] + [UInt8](repeating: 1, count: 256) + [0, 9, 0xFF, 0xFF, 0xFF]
        #expect(throws: Never.self) {
            try store.importEKTKey(fromDTLSMessage: widest, cipher: .aeskw128)
        }
    }

    @Test func ttlBecomesTheKeyLifetime() async throws {
        let store = KeyStore()
        let body = Array(Self.body[..<34]) + [0x00, 0x00, 0x01]  // 1 second
        let handle = try store.importEKTKey(fromDTLSMessage: body, cipher: .aeskw128)
        #expect(throws: Never.self) { try store.ektParameters(of: handle) }
        try await Task.sleep(for: .milliseconds(1100))
        #expect(throws: EKTError.keyStore(.keyExpired)) { try store.ektParameters(of: handle) }
    }

    @Test func duplicateSPIIsRefused() throws {
        let store = KeyStore()
        _ = try store.importEKTKey(fromDTLSMessage: Self.body, cipher: .aeskw128)
        #expect(throws: EKTError.duplicateSPI(1)) {
            try store.importEKTKey(fromDTLSMessage: Self.body, cipher: .aeskw128)
        }
        #expect(store.liveKeyCount == 1)
    }

    @Test func exportEncodesTheBodyAndRoundTrips() throws {
        let kd = KeyStore()
        let ekt = try kd.importEKTKey(
            EKTTestSupport.SpecExample.ektKey,
            parameters: EKTParameters(
                cipher: .aeskw128, spi: 1, masterSalt: EKTTestSupport.SpecExample.salt,
                ttl: .seconds(3600)))
        let body = try EKTKeyMessage.exportForDelivery(ektKey: ekt, from: kd) { Array($0) }
        #expect(body.count == 37)
        #expect(Array(body[..<34]) == Array(Self.body[..<34]))
        let ttl = Int(body[34]) << 16 | Int(body[35]) << 8 | Int(body[36])
        #expect((3598...3600).contains(ttl))  // remaining whole seconds

        let endpoint = KeyStore()
        let imported = try endpoint.importEKTKey(fromDTLSMessage: body, cipher: .aeskw128)
        #expect(try endpoint.ektParameters(of: imported) == (.aeskw128, 1))
    }

    @Test func exportCapsTheTTLAndRefusesUnlimitedKeys() throws {
        let kd = KeyStore()
        let long = try kd.generateEKTKey(
            cipher: .aeskw256, spi: 2, masterSaltLength: 24, expiresAfter: .seconds(400 * 86400))
        let body = try EKTKeyMessage.exportForDelivery(ektKey: long, from: kd) { Array($0) }
        #expect(body.count == 2 + 32 + 2 + 24 + 2 + 3)
        #expect(Array(body.suffix(3)) == [0xFF, 0xFF, 0xFF])
        let unlimited = try kd.generateEKTKey(cipher: .aeskw128, spi: 3, masterSaltLength: 12)
        #expect(throws: EKTError.self) {
            try EKTKeyMessage.exportForDelivery(ektKey: unlimited, from: kd) { _ in () }
        }
        let master = try kd.generateSRTPMasterKey(for: .aeadAES128GCM)
        #expect(
            throws: EKTError.keyStore(.keyUsageNotPermitted(expected: .ekt, actual: .srtpMaster))
        ) {
            try EKTKeyMessage.exportForDelivery(ektKey: master, from: kd) { _ in () }
        }
    }
}
