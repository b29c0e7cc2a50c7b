import Glibc
import Testing

@testable import PERC

/// Proof of wiping: scan the whole process (every mapping, through /proc/self/mem) for the key
/// before and after each way a key ends. The test keeps only a masked copy of the key.
@Suite(
    .serialized,
    .disabled(if: Sanitizer.thread, Sanitizer.memoryScanReason))
struct KeyStoreZeroizationTests {
    typealias Support = KeyStoreTestSupport
    let profile = SRTPProfile.aesCM128HMACSHA1_80

    /// Scans for `key` and checks the scan covered everything readable.
    private func occurrences(of key: MaskedKey) -> [UInt] {
        let result = MemoryScanner.scan(for: key)
        let unexpected = result.unread.filter { !$0.mapping.name.hasPrefix("[v") }
        #expect(
            unexpected.isEmpty || GuardedRegion.runningUnderSanitizer,
            "mappings not scanned: \(unexpected)")
        #expect(result.bytesScanned > 1 << 20)
        return result.matches
    }

    /// Generates a key, checks the scan finds exactly the sealed copy (at rest, `PROT_NONE`),
    /// ends the key with `end`, and checks no copy is left.
    private func expectWiped(
        by end: (KeyStore, KeyHandle) async throws -> Void, scope: KeyScope = .unscoped,
        ttl: Duration? = nil
    ) async throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile, scope: scope, expiresAfter: ttl)
        let key = try store.maskedKey(handle).prefix(profile.masterKeyLength)
        let address = try store.keyAddress(handle)

        // Positive control: the scanner reads the sealed region even though it is PROT_NONE.
        #expect(occurrences(of: key) == [UInt(bitPattern: address)])

        try await end(store, handle)
        #expect(occurrences(of: key).isEmpty)
        withExtendedLifetime(store) {}
    }

    @Test func revokeLeavesNoCopy() async throws {
        try await expectWiped { store, handle in store.revoke(handle) }
    }

    @Test func endConferenceLeavesNoCopy() async throws {
        let scope = KeyScope("conference-zeroization")
        try await expectWiped(by: { store, _ in store.endConference(scope) }, scope: scope)
    }

    @Test func closeLeavesNoCopy() async throws {
        try await expectWiped { store, _ in store.close() }
    }

    @Test func releasingTheStoreLeavesNoCopy() async throws {
        var store: KeyStore? = KeyStore()
        let handle = try store!.generateSRTPMasterKey(for: profile)
        let key = try store!.maskedKey(handle).prefix(profile.masterKeyLength)
        let address = UInt(bitPattern: try store!.keyAddress(handle))
        #expect(occurrences(of: key) == [address])
        store = nil
        #expect(occurrences(of: key).isEmpty)
    }

    @Test func expiryLeavesNoCopyWithoutAnyCall() async throws {
        try await expectWiped(
            by: { store, _ async throws in
                // Nobody touches the key: the sweeper alone must wipe it.
                #expect(try await Support.eventually { store.liveKeyCount == 0 })
            }, ttl: .seconds(2))
    }

    /// Generation leaves no copy behind, not even of the salt in the DRBG's last keystream block:
    /// key and salt are found exactly once, in the sealed region.
    @Test(arguments: SRTPProfile.allCases)
    func generationLeavesOnlyTheSealedCopy(profile: SRTPProfile) throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        let material = try store.maskedKey(handle)
        let salt = MaskedKey(masked: Array(material.masked.suffix(profile.masterSaltLength)))
        let address = UInt(bitPattern: try store.keyAddress(handle))
        #expect(occurrences(of: material.prefix(profile.masterKeyLength)) == [address])
        #expect(occurrences(of: salt) == [address + UInt(profile.masterKeyLength)])
    }

    @Test(arguments: [5, 24, 33])
    func generatedKeyOfAnyLengthHasOneCopy(length: Int) throws {
        let store = KeyStore()
        let handle = try store.generateKey(usage: .ekt, length: length)
        let key = try store.maskedKey(handle)
        #expect(occurrences(of: key) == [UInt(bitPattern: try store.keyAddress(handle))])
    }

    /// An imported key: the caller's arrays are the only other copies, and the caller wipes them.
    @Test func importedKeyLeavesNoCopy() throws {
        var generator = SystemRandomNumberGenerator()
        let masked = MaskedKey(
            masked: (0..<profile.masterKeyLength).map { _ in generator.next() as UInt8 })
        var key = masked.masked.map { $0 ^ MaskedKey.mask }
        var salt = [UInt8](repeating: 0x5A, count: profile.masterSaltLength)
        let store = KeyStore()
        let handle = try store.importSRTPMasterKey(key, salt: salt, for: profile)
        Support.wipe(&key)
        Support.wipe(&salt)
        let address = try store.keyAddress(handle)

        #expect(occurrences(of: masked) == [UInt(bitPattern: address)])
        store.revoke(handle)
        #expect(occurrences(of: masked).isEmpty)
    }

    /// The same after the key keyed sessions that protected and unprotected packets: no engine
    /// may keep a copy of the master key or salt past revocation (nor a KDF context, whose AES
    /// key schedule starts with the key itself).
    @Test(arguments: SRTPEngineKind.allCases)
    func revokeAfterSessionsLeavesNoCopy(engine: SRTPEngineKind) throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        let material = try store.maskedKey(handle)
        let key = material.prefix(profile.masterKeyLength)
        let salt = MaskedKey(masked: Array(material.masked.suffix(profile.masterSaltLength)))
        let configuration = SRTPSession.Configuration(profile: profile, engine: engine)
        let sender = try SRTPSession(key: handle, in: store, configuration: configuration)
        let receiver = try SRTPSession(key: handle, in: store, configuration: configuration)
        for sequence in UInt16(1)...20 {
            var packet = Support.rtpPacket(sequence: sequence)
            let plain = packet
            try sender.protectRTP(&packet)
            try receiver.unprotectRTP(&packet)
            #expect(packet == plain)
        }

        #expect(occurrences(of: key).count >= 1)
        store.revoke(handle)
        #expect(occurrences(of: key).isEmpty)
        if engine == .libsrtp2 {
            // libsrtp2 on NSS frees its KDF's AES-CTR parameters (counter block = master salt)
            // without zeroing them. glibc's free-list pointers usually overwrite the first octets,
            // AddressSanitizer's quarantine does not. The salt need not be secret (RFC 3711
            // §3.2.1); the master key is not left behind.
            withKnownIssue(
                "libsrtp2/NSS leaves the master salt in freed heap", isIntermittent: true
            ) {
                #expect(occurrences(of: salt).isEmpty)
            }
        } else {
            #expect(occurrences(of: salt).isEmpty)
        }

        var packet = Support.rtpPacket(sequence: 21)
        #expect(throws: SRTPError.keyRevoked) { try sender.protectRTP(&packet) }
        #expect(throws: SRTPError.keyRevoked) { try receiver.unprotectRTP(&packet) }
    }
}
