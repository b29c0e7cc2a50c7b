import Testing

@testable import PERC

/// The two kinds of double SRTP key (RFC 8723 §3; RFC 8871 §4.4, §6): who may hold which, their
/// lifetime, and the end-to-end key trial that EKT uses.
@Suite("Double SRTP keys")
struct DoubleSRTPKeyTests {
    let profile = DoubleSRTPProfile.doubleAEADAES128GCM

    @Test("a hop key never keys an SRTP session, an EKT field or an end-to-end layer")
    func hopKeyUsage() throws {
        let store = KeyStore()
        let hop = try store.generateHopKey(for: profile)
        #expect(hop.key.usage == .srtpHopByHop)
        #expect(
            throws: KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .srtpHopByHop)
        ) {
            try SRTPSession(
                key: hop.key, in: store, configuration: .init(profile: .aeadAES128GCM))
        }
        let ekt = try store.generateEKTKey(cipher: .aeskw128, spi: 1, masterSaltLength: 12)
        #expect(
            throws: EKTError.keyStore(
                .keyUsageNotPermitted(expected: .srtpMaster, actual: .srtpHopByHop))
        ) {
            try store.makeFullEKTField(
                ektKey: ekt, srtpMasterKey: hop.key, ssrc: 1, roc: 0, epoch: 0)
        }
        // The receiver's end-to-end key slot takes only end-to-end keys.
        let receiver = try DoubleSRTPReceiver(profile: profile, hopKey: hop, in: store)
        #expect(
            throws: KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .srtpHopByHop)
        ) {
            try receiver.setEndToEndKey(hop.key, in: store, ssrc: 1)
        }
    }

    @Test("an end-to-end key of the wrong kind or size is refused where an end-to-end key goes")
    func endToEndKeyChecks() throws {
        let store = KeyStore()
        let hop = try store.generateHopKey(for: profile)
        let ekt = try store.generateEKTKey(cipher: .aeskw128, spi: 1, masterSaltLength: 12)
        #expect(throws: KeyStoreError.keyUsageNotPermitted(expected: .srtpMaster, actual: .ekt)) {
            try DoubleSRTPSender(profile: profile, endToEndKey: ekt, hopKey: hop, in: store)
        }
        let wrongSize = try store.generateEndToEndKey(for: .doubleAEADAES256GCM)
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 16, actual: 32)) {
            try DoubleSRTPSender(profile: profile, endToEndKey: wrongSize, hopKey: hop, in: store)
        }
        let cmKey = try store.generateSRTPMasterKey(for: .aesCM128HMACSHA1_80)
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 12, actual: 14)) {
            try DoubleSRTPSender(profile: profile, endToEndKey: cmKey, hopKey: hop, in: store)
        }
        let bigHop = try store.generateHopKey(for: .doubleAEADAES256GCM)
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 16, actual: 32)) {
            try MediaDistributor(profile: profile).addIngress(hopKey: bigHop, in: store)
        }
    }

    @Test("importing: lengths checked, a double key split into its two kinds")
    func importing() throws {
        let store = KeyStore()
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 16, actual: 15)) {
            try store.importHopKey(
                [UInt8](repeating: 1, count: 15), salt: [UInt8](repeating: 2, count: 12),
                for: profile)
        }
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 12, actual: 14)) {
            try store.importHopKey(
                [UInt8](repeating: 1, count: 16), salt: [UInt8](repeating: 2, count: 14),
                for: profile)
        }
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 64, actual: 32)) {
            try store.importDoubleMasterKey(
                [UInt8](repeating: 1, count: 32), salt: [UInt8](repeating: 2, count: 24),
                for: .doubleAEADAES256GCM)
        }
        #expect(throws: KeyStoreError.invalidKeyLength(expected: 24, actual: 12)) {
            try store.importDoubleMasterKey(
                [UInt8](repeating: 1, count: 32), salt: [UInt8](repeating: 2, count: 12),
                for: profile)
        }
        #expect(store.liveKeyCount == 0)
        let keys = try store.importDoubleMasterKey(
            [UInt8](repeating: 1, count: 64), salt: [UInt8](repeating: 2, count: 24),
            for: .doubleAEADAES256GCM)
        #expect(keys.endToEnd.usage == .srtpMaster && keys.hopByHop.key.usage == .srtpHopByHop)
        #expect(store.liveKeyCount == 2)
    }

    @Test("one hop key keys at most one distributor leg (RFC 8723 §5.2: independent keys)")
    func oneLegPerHopKey() throws {
        let store = KeyStore()
        let md = try MediaDistributor(profile: profile)
        let hop = try store.generateHopKey(for: profile)
        let ingress = try md.addIngress(hopKey: hop, in: store)
        #expect(
            throws: DoubleSRTPError.invalidArgument(
                "the hop key already keys a leg of this distributor")
        ) {
            try md.addEgress(hopKey: hop, in: store)
        }
        md.remove(ingress)
        _ = try md.addEgress(hopKey: hop, in: store)
        #expect(throws: DoubleSRTPError.invalidArgument("replay window 32 outside 64...32768")) {
            try MediaDistributor(profile: profile, replayWindow: 32)
        }
    }

    @Test("revoking or expiring a key wipes what was keyed from it")
    func revocation() throws {
        let conference = DoubleConference(profile)
        let alice = try conference.endpoint()
        let md = try conference.distributor()
        let ingress = try md.addIngress(hopKey: alice.hop, in: conference.store)
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let bob = try conference.receiver(hop: bobHop, senders: [1: alice.endToEnd])

        var packet = DoublePackets.rtp(sequence: 1, ssrc: 1, payload: [1])
        try alice.sender.protect(&packet)
        try md.relay(&packet, from: ingress, to: egress)
        // Alice's end-to-end key goes: her sender is wiped, Bob forgets her SSRC.
        conference.store.revoke(alice.endToEnd)
        #expect(try !bob.hasEndToEndKey(ssrc: 1))
        #expect(throws: DoubleSRTPError.unknownSSRC(1)) { try bob.receive(&packet) }
        var next = DoublePackets.rtp(sequence: 2, ssrc: 1, payload: [1])
        #expect(throws: DoubleSRTPError.keyRevoked) { try alice.sender.protect(&next) }
        // Bob's hop key goes: the egress and Bob are wiped.
        conference.store.revoke(bobHop)
        #expect(throws: DoubleSRTPError.keyRevoked) { try bob.receive(&packet) }
        #expect(throws: DoubleSRTPError.keyRevoked) {
            try md.rolloverCounter(ssrc: 1, on: egress)
        }
        #expect(try md.rolloverCounter(ssrc: 1, on: ingress) == 0)
        // The conference ends: everything else goes too.
        conference.store.close()
        #expect(throws: DoubleSRTPError.keyRevoked) {
            try md.rolloverCounter(ssrc: 1, on: ingress)
        }
    }

    @Test("an expired hop key stops the endpoint")
    func expiry() async throws {
        let store = KeyStore()
        let hop = try store.generateHopKey(for: profile, expiresAfter: .milliseconds(20))
        let endToEnd = try store.generateEndToEndKey(for: profile)
        let sender = try DoubleSRTPSender(
            profile: profile, endToEndKey: endToEnd, hopKey: hop, in: store)
        var packet = DoublePackets.rtp(sequence: 1, ssrc: 1, payload: [1])
        try sender.protect(&packet)
        try await Task.sleep(for: .milliseconds(60))
        var next = DoublePackets.rtp(sequence: 2, ssrc: 1, payload: [1])
        #expect(throws: DoubleSRTPError.keyExpired) { try sender.protect(&next) }
        #expect(next == DoublePackets.rtp(sequence: 2, ssrc: 1, payload: [1]))
    }

    @Test("nothing prints key bytes")
    func redacted() throws {
        let store = KeyStore()
        let keys = try store.importDoubleMasterKey(
            [UInt8](repeating: 0xAB, count: 32), salt: [UInt8](repeating: 0xCD, count: 24),
            for: profile)
        let sender = try DoubleSRTPSender(
            profile: profile, endToEndKey: keys.endToEnd, hopKey: keys.hopByHop, in: store)
        let receiver = try DoubleSRTPReceiver(profile: profile, hopKey: keys.hopByHop, in: store)
        let md = try MediaDistributor(profile: profile)
        for text in [
            "\(sender)", "\(receiver)", "\(md)", "\(keys.hopByHop)", String(reflecting: sender),
        ] {
            #expect(!text.lowercased().contains("abab") && !text.lowercased().contains("cdcd"))
            #expect(!text.contains("171, 171"))
        }
    }
}
