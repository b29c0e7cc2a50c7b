import Testing

@testable import PERC

/// EKT keys in the key store: import and generation, usage binding, SPI uniqueness, building
/// FullEKTFields from store keys, and every receive check of RFC 8870 §4.3.2 steps 2–6.
@Suite struct EKTKeyStoreTests {
    typealias Example = EKTTestSupport.SpecExample
    static let conference = KeyScope("conference-1")

    /// A store with the spec example's EKT key (SPI 1) and sender master key (AES-128 profile).
    struct Fixture {
        let store = KeyStore()
        let ekt: KeyHandle
        let master: KeyHandle

        init(ttl: Duration? = nil) throws {
            ekt = try store.importEKTKey(
                Example.ektKey,
                parameters: EKTParameters(
                    cipher: .aeskw128, spi: Example.spi, masterSalt: Example.salt, ttl: ttl),
                scope: EKTKeyStoreTests.conference)
            master = try store.importSRTPMasterKey(
                Example.masterKey, salt: [UInt8](repeating: 0x33, count: 12),
                for: .aeadAES128GCM, scope: EKTKeyStoreTests.conference)
        }

        func specField() throws -> FullEKTField {
            try store.makeFullEKTField(
                ektKey: ekt, srtpMasterKey: master, ssrc: Example.ssrc, roc: Example.roc,
                epoch: Example.epoch)
        }

        func unwrap(_ field: FullEKTField, ssrc: UInt32 = Example.ssrc, keyLength: Int = 16)
            throws(EKTError) -> UnwrappedSRTPKey
        {
            try store.unwrapFullEKTField(
                field, scope: EKTKeyStoreTests.conference, packetSSRC: ssrc,
                expectedMasterKeyLength: keyLength)
        }
    }

    static func bytes(_ sealed: SealedBytes) throws -> [UInt8] {
        try sealed.withUnsealed { Array($0) }
    }

    static func full(_ bytes: [UInt8]) throws -> FullEKTField {
        guard case .full(let field) = try EKTField.parse(bytes).field else {
            throw EKTError.invalidArgument("test: not a Full field")
        }
        return field
    }

    // MARK: Building

    @Test func buildsTheSpecFieldFromStoreKeys() throws {
        let fixture = try Fixture()
        #expect(try fixture.specField().bytes == Example.field)
    }

    @Test func wrapsOnlyTheKeyNotTheSalt() throws {
        // The master key handle holds key ‖ salt; only the key goes into the plaintext, so the
        // field is the same whatever the salt.
        let fixture = try Fixture()
        let other = try fixture.store.importSRTPMasterKey(
            Example.masterKey, salt: [UInt8](repeating: 0x99, count: 12), for: .aeadAES128GCM)
        let field = try fixture.store.makeFullEKTField(
            ektKey: fixture.ekt, srtpMasterKey: other, ssrc: Example.ssrc, roc: 0, epoch: 0)
        #expect(field.bytes == Example.field)
    }

    @Test func wrapsTheLeadingPartOfADoubleKey() throws {
        // Double SRTP sends only the E2E (inner) half (RFC 8723 §5.1).
        let store = KeyStore()
        let ekt = try store.importEKTKey(
            Example.ektKey,
            parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: Example.salt))
        let inner = Example.masterKey
        let outer = [UInt8](repeating: 0x44, count: 16)
        // As a double key record: inner key ‖ outer key, then the salts.
        let double = try store.insert(
            sealed(inner + outer + [UInt8](repeating: 0xA0, count: 24)), usage: .srtpMaster,
            keyLength: 32, scope: .unscoped, ttl: nil)
        let field = try store.makeFullEKTField(
            ektKey: ekt, srtpMasterKey: double, ssrc: Example.ssrc, roc: 0, epoch: 0,
            wrappedKeyLength: 16)
        #expect(field.bytes == Example.field)
        let unwrapped = try store.unwrapFullEKTField(
            field, scope: .unscoped, packetSSRC: Example.ssrc, expectedMasterKeyLength: 16)
        #expect(try Self.bytes(unwrapped.masterKey) == inner)
        for bad in [0, 33] {
            #expect(throws: EKTError.self) {
                try store.makeFullEKTField(
                    ektKey: ekt, srtpMasterKey: double, ssrc: 1, roc: 0, epoch: 0,
                    wrappedKeyLength: bad)
            }
        }
    }

    func sealed(_ bytes: [UInt8]) throws -> SealedBytes {
        try bytes.withUnsafeBytes { try SealedBytes(copying: $0) }
    }

    @Test func fieldChangesWithSSRCROCAndEpoch() throws {
        let fixture = try Fixture()
        let base = try fixture.specField()
        let newROC = try fixture.store.makeFullEKTField(
            ektKey: fixture.ekt, srtpMasterKey: fixture.master, ssrc: Example.ssrc, roc: 1,
            epoch: 0)
        let newSSRC = try fixture.store.makeFullEKTField(
            ektKey: fixture.ekt, srtpMasterKey: fixture.master, ssrc: 7, roc: 0, epoch: 0)
        let newEpoch = try fixture.store.makeFullEKTField(
            ektKey: fixture.ekt, srtpMasterKey: fixture.master, ssrc: Example.ssrc, roc: 0,
            epoch: 5)
        #expect(newROC.ciphertext != base.ciphertext)
        #expect(newSSRC.ciphertext != base.ciphertext)
        #expect(newEpoch.ciphertext == base.ciphertext)  // the epoch is outside the wrap
        #expect(newEpoch.epoch == 5)
    }

    @Test func aeskw256WithA32OctetMasterKey() throws {
        let store = KeyStore()
        let ekt = try store.generateEKTKey(cipher: .aeskw256, spi: 300, masterSaltLength: 12)
        let master = try store.generateSRTPMasterKey(for: .aeadAES256GCM)
        let field = try store.makeFullEKTField(
            ektKey: ekt, srtpMasterKey: master, ssrc: 42, roc: 3, epoch: 1)
        #expect(field.encodedLength == 63)
        #expect(field.spi == 300)
        let unwrapped = try store.unwrapFullEKTField(
            field, scope: .unscoped, packetSSRC: 42, expectedMasterKeyLength: 32)
        #expect(unwrapped.masterKey.count == 32)
        #expect((unwrapped.ssrc, unwrapped.roc, unwrapped.spi, unwrapped.epoch) == (42, 3, 300, 1))
        #expect(unwrapped.masterSalt.count == 12)
        // The unwrapped key keys an SRTP key record equal to the sender's key material.
        let receiverKey = try store.importSRTPMasterKey(unwrapped, for: .aeadAES256GCM)
        let sent = try store.withUnsealedKey(master, for: .srtpMaster) { b, n in Array(b[..<n]) }
        let received = try store.withUnsealedKey(receiverKey, for: .srtpMaster) { b, n in
            Array(b[..<n])
        }
        #expect(sent.result == received.result)
    }

    // MARK: Receiving: RFC 8870 §4.3.2

    @Test func unwrapsTheSpecField() throws {
        let fixture = try Fixture()
        let unwrapped = try fixture.unwrap(try Self.full(Example.field))
        #expect(try Self.bytes(unwrapped.masterKey) == Example.masterKey)
        #expect(try Self.bytes(unwrapped.masterSalt) == Example.salt)
        #expect(unwrapped.ssrc == Example.ssrc)
        #expect(unwrapped.roc == 0)
        #expect(unwrapped.spi == 1)
        #expect(unwrapped.epoch == 0)
    }

    @Test func unknownSPIIsRejected() throws {
        let fixture = try Fixture()
        let field = try FullEKTField(
            ciphertext: Array(Example.field[..<40]), spi: 2, epoch: 0)
        #expect(throws: EKTError.unknownSPI(2)) { try fixture.unwrap(field) }
        // The SPI is known only in its own scope.
        #expect(throws: EKTError.unknownSPI(1)) {
            try fixture.store.unwrapFullEKTField(
                try Self.full(Example.field), scope: KeyScope("other"), packetSSRC: Example.ssrc,
                expectedMasterKeyLength: 16)
        }
        // A handle with another SPI does not unwrap it either.
        let other = try fixture.store.importEKTKey(
            Example.ektKey, parameters: EKTParameters(cipher: .aeskw128, spi: 9, masterSalt: [1]))
        #expect(throws: EKTError.unknownSPI(1)) {
            try fixture.store.unwrapFullEKTField(
                try Self.full(Example.field), ektKey: other, packetSSRC: nil,
                expectedMasterKeyLength: nil)
        }
    }

    @Test func wrongEKTKeyFailsAuthentication() throws {
        let store = KeyStore()
        var key = Example.ektKey
        key[15] ^= 1
        _ = try store.importEKTKey(
            key, parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: Example.salt))
        #expect(throws: EKTError.authenticationFailed) {
            try store.unwrapFullEKTField(
                try Self.full(Example.field), scope: .unscoped, packetSSRC: Example.ssrc,
                expectedMasterKeyLength: 16)
        }
    }

    @Test func everyByteFlippedIsCaught() throws {
        // Flip each octet of the field on the wire and run parse + unwrap as a receiver does.
        let fixture = try Fixture()
        let packet = EKTFieldTests.srtp + Example.field
        let fieldStart = EKTFieldTests.srtp.count
        for index in fieldStart..<packet.count {
            var altered = packet
            altered[index] ^= 0xFF
            let position = index - fieldStart
            let outcome = Result { () throws(EKTError) -> UnwrappedSRTPKey in
                let (field, _) = try EKTField.parse(altered)
                guard case .full(let full) = field else {
                    throw .invalidArgument("not full")
                }
                return try fixture.unwrap(full)
            }
            switch position {
            case 0..<40:  // EKTCiphertext: the wrap's integrity check
                #expect(throws: EKTError.authenticationFailed) { try outcome.get() }
            case 40..<42:  // SPI
                #expect(throws: EKTError.unknownSPI(altered.loadUInt16(at: index - position + 40)))
                {
                    try outcome.get()
                }
            case 42..<44:  // Epoch: not protected by the wrap (RFC 8870 §4.1); only reported
                let unwrapped = try outcome.get()
                #expect(unwrapped.epoch != 0)
                #expect(try Self.bytes(unwrapped.masterKey) == Example.masterKey)
            case 44..<46:  // EKTMsgLength
                #expect(throws: EKTError.self) { try outcome.get() }
            default:  // type 0x02 → 0xFD, an extension type whose length (47) fits
                #expect(throws: EKTError.unknownMessageType(0xFD, tagLength: 47)) {
                    try outcome.get()
                }
            }
        }
    }

    @Test func ssrcMismatchIsRejected() throws {
        let fixture = try Fixture()
        #expect(throws: EKTError.ssrcMismatch(packet: 0x1111_1111, field: Example.ssrc)) {
            try fixture.unwrap(try Self.full(Example.field), ssrc: 0x1111_1111)
        }
    }

    @Test func masterKeyLengthMustFitTheTransform() throws {
        let fixture = try Fixture()
        for expected in [15, 24, 32] {
            #expect(throws: EKTError.masterKeyLengthMismatch(expected: expected, actual: 16)) {
                try fixture.unwrap(try Self.full(Example.field), keyLength: expected)
            }
        }
        let unwrapped = try fixture.unwrap(try Self.full(Example.field))
        #expect(throws: EKTError.masterKeyLengthMismatch(expected: 32, actual: 16)) {
            try fixture.store.importSRTPMasterKey(unwrapped, for: .aeadAES256GCM)
        }
    }

    @Test func plaintextWithAnInconsistentKeyLengthIsMalformed() throws {
        // A field wrapped correctly under the EKT key, but whose plaintext lies about keylen.
        let fixture = try Fixture()
        for plaintext: [UInt8] in [
            [0x11] + Example.masterKey + [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 0],  // says 17
            [0x00] + Example.masterKey + [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0, 0],  // says 0
            [0x10] + Example.masterKey + [0xCA, 0xFE, 0xBA, 0xBE, 0, 0, 0],  // ROC short
            [0x01, 0xAA],
        ] {
            let ciphertext = try AESKeyWrapTestHelper.wrap(Example.ektKey, plaintext)
            guard FullEKTField.isValidCiphertextLength(ciphertext.count) else { continue }
            let field = try FullEKTField(ciphertext: ciphertext, spi: 1, epoch: 0)
            #expect(throws: EKTError.malformed(.plaintextLength)) { try fixture.unwrap(field) }
        }
    }

    @Test func failedUnwrapChangesNothing() throws {
        let fixture = try Fixture()
        let before = fixture.store.liveKeyCount
        var ciphertext = Array(Example.field[..<40])
        ciphertext[3] ^= 1
        #expect(throws: EKTError.authenticationFailed) {
            try fixture.unwrap(try FullEKTField(ciphertext: ciphertext, spi: 1, epoch: 0))
        }
        #expect(fixture.store.liveKeyCount == before)
        #expect(try fixture.specField().bytes == Example.field)
    }

    // MARK: Usage binding, lifetime, uniqueness

    @Test func usageIsBound() throws {
        let fixture = try Fixture()
        let notPermitted = EKTError.keyStore(
            .keyUsageNotPermitted(expected: .ekt, actual: .srtpMaster))
        // An SRTP master key cannot wrap or unwrap.
        #expect(throws: notPermitted) {
            try fixture.store.makeFullEKTField(
                ektKey: fixture.master, srtpMasterKey: fixture.master, ssrc: 1, roc: 0, epoch: 0)
        }
        #expect(throws: notPermitted) {
            try fixture.store.unwrapFullEKTField(
                try Self.full(Example.field), ektKey: fixture.master, packetSSRC: nil,
                expectedMasterKeyLength: nil)
        }
        // An EKT key cannot be wrapped as a master key, nor key an SRTP session.
        #expect(
            throws: EKTError.keyStore(.keyUsageNotPermitted(expected: .srtpMaster, actual: .ekt))
        ) {
            try fixture.store.makeFullEKTField(
                ektKey: fixture.ekt, srtpMasterKey: fixture.ekt, ssrc: 1, roc: 0, epoch: 0)
        }
        #expect(throws: KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .ekt)) {
            try SRTPSession(
                key: fixture.ekt, in: fixture.store,
                configuration: .init(profile: .aesCM128HMACSHA1_80))
        }
        #expect(fixture.ekt.usage == .ekt)
    }

    @Test func duplicateSPIInAScopeIsRefusedAtomically() throws {
        let fixture = try Fixture()
        let before = fixture.store.liveKeyCount
        #expect(throws: EKTError.duplicateSPI(1)) {
            try fixture.store.importEKTKey(
                [UInt8](repeating: 9, count: 16),
                parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: [1]),
                scope: Self.conference)
        }
        #expect(throws: EKTError.duplicateSPI(1)) {
            try fixture.store.generateEKTKey(
                cipher: .aeskw256, spi: 1, masterSaltLength: 12, scope: Self.conference)
        }
        #expect(fixture.store.liveKeyCount == before)
        // The original key still unwraps.
        #expect(throws: Never.self) { try fixture.unwrap(try Self.full(Example.field)) }
        // Same SPI in another scope is another parameter set; after revocation it is free.
        #expect(throws: Never.self) {
            try fixture.store.importEKTKey(
                Example.ektKey,
                parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: [1]),
                scope: KeyScope("conference-2"))
        }
        fixture.store.revoke(fixture.ekt)
        #expect(throws: Never.self) {
            try fixture.store.importEKTKey(
                Example.ektKey,
                parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: [1]),
                scope: Self.conference)
        }
    }

    @Test func concurrentImportsOfOneSPIAdmitExactlyOne() async throws {
        let store = KeyStore()
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<16 {
                group.addTask {
                    (try? store.importEKTKey(
                        [UInt8](repeating: UInt8(index), count: 16),
                        parameters: EKTParameters(cipher: .aeskw128, spi: 77, masterSalt: [1])))
                        != nil
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 1)
        #expect(store.liveKeyCount == 1)
    }

    @Test func importValidatesItsArguments() throws {
        let store = KeyStore()
        #expect(throws: EKTError.keyStore(.invalidKeyLength(expected: 16, actual: 32))) {
            try store.importEKTKey(
                [UInt8](repeating: 1, count: 32),
                parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: [1]))
        }
        #expect(throws: EKTError.keyStore(.invalidKeyLength(expected: 32, actual: 16))) {
            try store.importEKTKey(
                [UInt8](repeating: 1, count: 16),
                parameters: EKTParameters(cipher: .aeskw256, spi: 1, masterSalt: [1]))
        }
        for salt in [[], [UInt8](repeating: 2, count: 257)] {
            #expect(throws: EKTError.self) {
                try store.importEKTKey(
                    [UInt8](repeating: 1, count: 16),
                    parameters: EKTParameters(cipher: .aeskw128, spi: 1, masterSalt: salt))
            }
        }
        #expect(throws: EKTError.self) {
            try store.importEKTKey(
                [UInt8](repeating: 1, count: 16),
                parameters: EKTParameters(
                    cipher: .aeskw128, spi: 1, masterSalt: [1], ttl: .zero))
        }
        #expect(throws: EKTError.self) {
            try store.generateEKTKey(cipher: .aeskw128, spi: 1, masterSaltLength: 0)
        }
        #expect(store.liveKeyCount == 0)
        let generated = try store.generateEKTKey(cipher: .aeskw128, spi: 5, masterSaltLength: 12)
        #expect(try store.ektParameters(of: generated) == (.aeskw128, 5))
    }

    @Test func expiredKeyIsRefused() async throws {
        let fixture = try Fixture(ttl: .milliseconds(30))
        try await Task.sleep(for: .milliseconds(80))
        #expect(throws: EKTError.keyStore(.keyExpired)) { try fixture.specField() }
        // An expired parameter set no longer answers to its SPI.
        #expect(throws: EKTError.unknownSPI(1)) { try fixture.unwrap(try Self.full(Example.field)) }
        #expect(throws: EKTError.keyStore(.keyExpired)) {
            try fixture.store.unwrapFullEKTField(
                try Self.full(Example.field), ektKey: fixture.ekt, packetSSRC: nil,
                expectedMasterKeyLength: nil)
        }
    }

    @Test func theEarlierOfTTLAndExpiresAfterApplies() async throws {
        let store = KeyStore()
        let key = try store.importEKTKey(
            Example.ektKey,
            parameters: EKTParameters(
                cipher: .aeskw128, spi: 1, masterSalt: [1], ttl: .seconds(60)),
            expiresAfter: .milliseconds(30))
        try await Task.sleep(for: .milliseconds(80))
        #expect(throws: EKTError.keyStore(.keyExpired)) { try store.ektParameters(of: key) }
    }

    @Test func revokedAndEndedKeysAreGone() throws {
        let fixture = try Fixture()
        fixture.store.endConference(Self.conference)
        #expect(throws: EKTError.keyStore(.keyRevoked)) { try fixture.specField() }
        #expect(throws: EKTError.unknownSPI(1)) { try fixture.unwrap(try Self.full(Example.field)) }
    }

    // MARK: Redaction

    @Test func nothingSecretPrints() throws {
        let fixture = try Fixture()
        let unwrapped = try fixture.unwrap(try Self.full(Example.field))
        let parameters = EKTParameters(
            cipher: .aeskw128, spi: 1, masterSalt: Example.salt, ttl: .seconds(5))
        var texts = [
            String(describing: parameters), String(reflecting: parameters),
            String(describing: unwrapped), String(reflecting: unwrapped),
            String(describing: fixture.ekt), String(describing: fixture.store),
        ]
        for value in [parameters as Any, unwrapped] {
            var dumped = ""
            dump(value, to: &dumped)
            texts.append(dumped)
        }
        for secret in [Example.ektKey, Example.masterKey, Example.salt] {
            let hex = EKTTestSupport.hex(secret)
            let decimal = secret.map(String.init).joined(separator: ", ")
            for text in texts {
                #expect(!text.contains(hex), "\(text)")
                #expect(!text.contains(decimal), "\(text)")
            }
        }
        #expect(String(describing: parameters).contains("redacted"))
        #expect(String(describing: unwrapped).contains("redacted"))
    }
}

/// Raw AES-KW over test plaintexts, for fields a conforming sender would never build.
enum AESKeyWrapTestHelper {
    static func wrap(_ kek: [UInt8], _ plaintext: [UInt8]) throws -> [UInt8] {
        var out = [UInt8](
            repeating: 0, count: EKTCipher.ciphertextLength(plaintextLength: plaintext.count))
        let count = try kek.withUnsafeBytes { kek in
            try plaintext.withUnsafeBytes { plain in
                try out.withUnsafeMutableBytes { out in
                    try AESKeyWrap.wrap(kek: kek, plaintext: plain, padding: true, into: out)
                }
            }
        }
        return Array(out[..<count])
    }
}

extension Array where Element == UInt8 {
    fileprivate func loadUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }
}
