import Testing

@testable import PERC

/// Usage binding, expiry, revocation, conference end and teardown: each gives its typed error and
/// reaches everything keyed from the key.
@Suite struct KeyStoreLifetimeTests {
    typealias Support = KeyStoreTestSupport
    let profile = SRTPProfile.aeadAES128GCM

    /// Records the invalidations a dependent receives, as a session would.
    final class RecordingDependent: KeyDependent {
        let received = Locked<[KeyInvalidation]>([])
        func keyInvalidated(_ reason: KeyInvalidation) { received.withLock { $0.append(reason) } }
        var reasons: [KeyInvalidation] { received.withLock { $0 } }
    }

    private func unseal(_ handle: KeyHandle, in store: KeyStore) throws {
        _ = try store.withUnsealedKey(handle, for: .srtpMaster) { bytes, _ in bytes.count }
    }

    // MARK: Usage binding

    @Test func ektKeyCannotKeyAnSRTPSession() throws {
        let store = KeyStore()
        let ekt = try store.generateKey(usage: .ekt, length: 16)
        #expect(ekt.usage == .ekt)
        #expect(throws: KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .ekt)) {
            _ = try SRTPSession(
                key: ekt, in: store, configuration: .init(profile: .aeadAES128GCM))
        }
        // Misuse changes nothing: the key is still live and usable for its own usage.
        #expect(store.liveKeyCount == 1)
        _ = try store.withUnsealedKey(ekt, for: .ekt) { bytes, _ in #expect(bytes.count == 16) }
    }

    @Test func srtpKeyCannotBeUsedAsEKTKey() throws {
        let store = KeyStore()
        let master = try store.generateSRTPMasterKey(for: profile)
        #expect(throws: KeyStoreError.keyUsageNotPermitted(expected: .ekt, actual: .srtpMaster)) {
            _ = try store.withUnsealedKey(master, for: .ekt) { _, _ in () }
        }
    }

    @Test func handleOfAnotherStoreIsUnknown() throws {
        let store = KeyStore()
        let other = KeyStore()
        let handle = try other.generateSRTPMasterKey(for: profile)
        #expect(throws: KeyStoreError.unknownKey) { try unseal(handle, in: store) }
        store.revoke(handle)  // no effect on the other store
        #expect(other.liveKeyCount == 1)
    }

    @Test func keySizedForAnotherProfileIsRefused() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: .aeadAES256GCM)
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 16, actual: 32)) {
            _ = try SRTPSession(key: handle, in: store, configuration: .init(profile: profile))
        }
    }

    @Test func importRejectsWrongLengthsWithoutStoringAnything() throws {
        let store = KeyStore()
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 16, actual: 15)) {
            _ = try store.importSRTPMasterKey(
                [UInt8](repeating: 1, count: 15), salt: [UInt8](repeating: 2, count: 12),
                for: profile)
        }
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 12, actual: 14)) {
            _ = try store.importSRTPMasterKey(
                [UInt8](repeating: 1, count: 16), salt: [UInt8](repeating: 2, count: 14),
                for: profile)
        }
        #expect(store.liveKeyCount == 0)
    }

    // MARK: Revocation, conference end, teardown

    @Test func revokedKeyGivesKeyRevokedAndReachesDependents() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        let dependent = RecordingDependent()
        store.register(dependent, for: handle)
        let sealed = try #require(store.sealedBytesForTesting(handle))

        store.revoke(handle)
        #expect(sealed.isWiped)
        #expect(dependent.reasons == [.revoked])
        #expect(throws: KeyStoreError.keyRevoked) { try unseal(handle, in: store) }
        #expect(throws: KeyStoreError.keyRevoked) {
            _ = try SRTPSession(key: handle, in: store, configuration: .init(profile: profile))
        }
        store.revoke(handle)  // idempotent
        #expect(dependent.reasons == [.revoked])
    }

    @Test func dependentRegisteredAfterRevocationIsInvalidatedAtOnce() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        store.revoke(handle)
        let late = RecordingDependent()
        store.register(late, for: handle)
        #expect(late.reasons == [.revoked])
    }

    @Test func liveKeysAreCountedPerUsageAndScope() throws {
        let store = KeyStore()
        let conference = KeyScope("room-1")
        _ = try store.generateSRTPMasterKey(for: profile, scope: conference)
        _ = try store.generateKey(usage: .ekt, length: 16, scope: conference)
        _ = try store.generateKey(usage: .ekt, length: 16)
        #expect(store.liveKeyCount(usage: .ekt) == 2)
        #expect(store.liveKeyCount(usage: .ekt, scope: conference) == 1)
        #expect(store.liveKeyCount(usage: .srtpMaster) == 1)
        #expect(store.liveKeyCount(usage: .srtpHopByHop) == 0)
        store.endConference(conference)
        #expect(store.liveKeyCount(usage: .ekt) == 1)
        #expect(store.liveKeyCount(usage: .srtpMaster) == 0)
    }

    @Test func endConferenceWipesOnlyThatScope() throws {
        let store = KeyStore()
        let conference = KeyScope("room-1")
        let inScope = try store.generateSRTPMasterKey(for: profile, scope: conference)
        let alsoInScope = try store.generateKey(usage: .ekt, length: 16, scope: conference)
        let elsewhere = try store.generateSRTPMasterKey(for: profile, scope: KeyScope("room-2"))
        let dependent = RecordingDependent()
        store.register(dependent, for: inScope)

        store.endConference(conference)
        #expect(store.liveKeyCount == 1)
        #expect(dependent.reasons == [.revoked])
        #expect(throws: KeyStoreError.keyRevoked) { try unseal(inScope, in: store) }
        #expect(throws: KeyStoreError.keyRevoked) {
            _ = try store.withUnsealedKey(alsoInScope, for: .ekt) { _, _ in () }
        }
        try unseal(elsewhere, in: store)
    }

    @Test func closeWipesEverythingAndRefusesNewKeys() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile, expiresAfter: .seconds(60))
        let dependent = RecordingDependent()
        store.register(dependent, for: handle)
        #expect(store.isSweeperRunning)

        store.close()
        #expect(store.liveKeyCount == 0)
        #expect(!store.isSweeperRunning)
        #expect(dependent.reasons == [.revoked])
        #expect(throws: KeyStoreError.keyRevoked) { try unseal(handle, in: store) }
        #expect(throws: KeyStoreError.keyRevoked) {
            _ = try store.generateSRTPMasterKey(for: profile)
        }
    }

    @Test func releasingTheStoreInvalidatesDependents() throws {
        let dependent = RecordingDependent()
        do {
            let store = KeyStore()
            let handle = try store.generateSRTPMasterKey(for: profile)
            store.register(dependent, for: handle)
        }
        #expect(dependent.reasons == [.revoked])
    }

    // MARK: Expiry

    @Test func sweeperWipesAnExpiredKeyNobodyTouches() async throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile, expiresAfter: .milliseconds(50))
        let lasting = try store.generateSRTPMasterKey(for: profile, expiresAfter: .seconds(600))
        let dependent = RecordingDependent()
        store.register(dependent, for: handle)
        let sealed = try #require(store.sealedBytesForTesting(handle))

        #expect(try await Support.eventually { sealed.isWiped })
        #expect(dependent.reasons == [.expired])
        #expect(store.liveKeyCount == 1)
        #expect(throws: KeyStoreError.keyExpired) { try unseal(handle, in: store) }
        #expect(throws: KeyStoreError.keyExpired) {
            _ = try SRTPSession(key: handle, in: store, configuration: .init(profile: profile))
        }
        try unseal(lasting, in: store)
    }

    @Test func keysWithoutTTLStartNoSweeper() throws {
        let store = KeyStore()
        _ = try store.generateSRTPMasterKey(for: profile)
        #expect(!store.isSweeperRunning)
    }

    @Test func expiredKeyIsRefusedOnUseEvenBeforeTheSweeper() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile, expiresAfter: .zero)
        #expect(throws: KeyStoreError.keyExpired) { try unseal(handle, in: store) }
    }

    @Test func hugeTTLNeverExpires() throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(
            for: profile, expiresAfter: .seconds(Int64.max))
        try unseal(handle, in: store)
        store.purgeExpired()
        #expect(store.liveKeyCount == 1)
    }

    @Test func storeWithSweeperIsReleased() throws {
        weak var weakStore: KeyStore?
        do {
            let store = KeyStore()
            _ = try store.generateSRTPMasterKey(for: profile, expiresAfter: .seconds(600))
            weakStore = store
        }
        #expect(weakStore == nil)
    }

    // MARK: Sessions (need the engines)

    @Test(arguments: SRTPEngineKind.allCases)
    func revokedKeyStopsItsSessions(engine: SRTPEngineKind) throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        let session = try SRTPSession(
            key: handle, in: store, configuration: .init(profile: profile, engine: engine))
        var packet = Support.rtpPacket(sequence: 1)
        try session.protectRTP(&packet)

        store.revoke(handle)
        packet = Support.rtpPacket(sequence: 2)
        let original = packet
        #expect(throws: SRTPError.keyRevoked) { try session.protectRTP(&packet) }
        #expect(packet == original)
        #expect(throws: SRTPError.keyRevoked) { try session.unprotectRTP(&packet) }
    }

    @Test(arguments: SRTPEngineKind.allCases)
    func endedConferenceStopsItsSessions(engine: SRTPEngineKind) throws {
        let store = KeyStore()
        let conference = KeyScope("room-sessions")
        let handle = try store.generateSRTPMasterKey(for: profile, scope: conference)
        let session = try SRTPSession(
            key: handle, in: store, configuration: .init(profile: profile, engine: engine))
        store.endConference(conference)
        var packet = Support.rtpPacket(sequence: 1)
        #expect(throws: SRTPError.keyRevoked) { try session.protectRTP(&packet) }
    }

    @Test(arguments: SRTPEngineKind.allCases)
    func expiredKeyStopsItsSessions(engine: SRTPEngineKind) async throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile, expiresAfter: .milliseconds(200))
        let session = try SRTPSession(
            key: handle, in: store, configuration: .init(profile: profile, engine: engine))
        var packet = Support.rtpPacket(sequence: 1)
        try session.protectRTP(&packet)

        #expect(try await Support.eventually { store.liveKeyCount == 0 })
        packet = Support.rtpPacket(sequence: 2)
        #expect(throws: SRTPError.keyExpired) { try session.protectRTP(&packet) }
    }

    @Test(arguments: SRTPEngineKind.allCases)
    func closingTheStoreStopsItsSessions(engine: SRTPEngineKind) throws {
        let store = KeyStore()
        let handle = try store.generateSRTPMasterKey(for: profile)
        let session = try SRTPSession(
            key: handle, in: store, configuration: .init(profile: profile, engine: engine))
        store.close()
        var packet = Support.rtpPacket(sequence: 1)
        #expect(throws: SRTPError.keyRevoked) { try session.protectRTP(&packet) }
    }
}
