import Testing

@testable import PERC

/// No secret-holding type prints key bytes, however it is printed.
@Suite struct KeyStoreRedactionTests {
    // Printable key and salt so a raw (character) leak would show as text.
    static let key = Array("K3yMaterialBytes".utf8)
    static let salt = Array("SaltSaltSalt".utf8)
    let profile = SRTPProfile.aeadAES128GCM

    /// Every way a value reaches text: description, debugDescription, interpolation, dump.
    private func renderings(of value: Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    /// The forms a leak of the first eight key (or salt) octets could take.
    private func leakForms(of bytes: [UInt8]) -> [String] {
        let head = Array(bytes.prefix(8))
        let hex = head.map { String($0, radix: 16) }
        let upperHex = hex.map { $0.uppercased() }
        return [
            String(decoding: head, as: UTF8.self),  // raw
            hex.joined(), upperHex.joined(),  // contiguous hex
            hex.joined(separator: " "), hex.joined(separator: ":"),
            hex.map { "0x" + $0 }.joined(separator: ", "),
            head.map(String.init).joined(separator: ", "),  // [UInt8] as printed
            head.map(String.init).joined(separator: "\n"),  // dump of an array, one per line
        ]
    }

    private func expectRedacted(_ value: Any, _ label: String) {
        for text in renderings(of: value) {
            for form in leakForms(of: Self.key) + leakForms(of: Self.salt) {
                #expect(!text.contains(form), "\(label) printed key material as \(form)")
            }
        }
    }

    @Test func storeTypesPrintRedacted() throws {
        let store = KeyStore()
        let handle = try store.importSRTPMasterKey(Self.key, salt: Self.salt, for: profile)
        let sealed = try #require(store.sealedBytesForTesting(handle))
        let record = KeyRecord(
            material: sealed, usage: .srtpMaster, keyLength: 16, scope: .unscoped, deadline: nil)
        expectRedacted(store, "KeyStore")
        expectRedacted(handle, "KeyHandle")
        expectRedacted(sealed, "SealedBytes")
        expectRedacted(record, "KeyRecord")
        expectRedacted(store.memoryProtection, "MemoryProtection")
        #expect(String(describing: sealed).contains("redacted"))
        #expect(String(describing: record).contains("redacted"))
        #expect(String(describing: store).contains("redacted"))
    }

    @Test func errorsPrintRedacted() {
        let errors: [any Error] = [
            KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .ekt),
            KeyStoreError.keyRevoked, KeyStoreError.keyExpired, KeyStoreError.unknownKey,
            KeyStoreError.invalidKeyLength(expected: 16, actual: 15),
            KeyStoreError.randomGenerationFailed,
            KeyStoreError.memoryUnavailable("mmap failed, errno 12"),
            SRTPError.keyRevoked, SRTPError.keyExpired,
        ]
        for error in errors { expectRedacted(error, "\(type(of: error))") }
    }

    /// The renderings really are checked: an unredacted array of the key fails the check.
    @Test func leakFormsCatchAPlainArray() {
        let leaked = renderings(of: Self.key)
        #expect(leakForms(of: Self.key).contains { form in leaked.contains { $0.contains(form) } })
    }

    @Test(arguments: SRTPEngineKind.allCases)
    func sessionPrintsRedacted(engine: SRTPEngineKind) throws {
        let store = KeyStore()
        let handle = try store.importSRTPMasterKey(Self.key, salt: Self.salt, for: profile)
        let session = try SRTPSession(
            key: handle, in: store, configuration: .init(profile: profile, engine: engine))
        var packet = KeyStoreTestSupport.rtpPacket(sequence: 1)
        try session.protectRTP(&packet)
        expectRedacted(session, "SRTPSession")
        #expect(String(reflecting: session).contains("redacted"))
    }
}
