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

    // MARK: End-to-end key trial (the entry point EKT uses)

    /// A packet from Alice through one distributor, and Bob's receiver that knows no
    /// end-to-end key yet.
    struct TrialScene {
        let conference = DoubleConference(.doubleAEADAES128GCM)
        let aliceKey: [UInt8] = (0..<16).map { UInt8($0) }
        let conferenceSalt: [UInt8] = (0..<14).map { UInt8(0xA0 + $0) }  // EKT salts may be longer
        let sender: DoubleSRTPSender
        let md: MediaDistributor
        let ingress: MediaDistributor.Ingress
        let egress: MediaDistributor.Egress
        let bob: DoubleSRTPReceiver

        init() throws {
            let store = conference.store
            let endToEnd = try store.importSRTPMasterKey(
                aliceKey, salt: Array(conferenceSalt[..<12]), for: .aeadAES128GCM)
            let hop = try conference.hopKey()
            sender = try DoubleSRTPSender(
                profile: conference.profile, endToEndKey: endToEnd, hopKey: hop, in: store)
            md = try conference.distributor()
            ingress = try md.addIngress(hopKey: hop, in: store)
            let bobHop = try conference.hopKey()
            egress = try md.addEgress(hopKey: bobHop, in: store)
            bob = try conference.receiver(hop: bobHop, senders: [:])
        }

        func packet(_ sequence: UInt16) throws -> (plain: [UInt8], wire: [UInt8]) {
            let plain = DoublePackets.rtp(sequence: sequence, ssrc: 0xA, payload: [1, 2, 3])
            var wire = plain
            try sender.protect(&wire)
            try md.relay(&wire, from: ingress, to: egress)
            return (plain, wire)
        }

        func candidate(key: [UInt8], roc: UInt32 = 0) throws -> EndToEndKeyCandidate {
            EndToEndKeyCandidate(
                masterKey: try key.withUnsafeBytes { try SealedBytes(copying: $0) },
                masterSalt: try conferenceSalt.withUnsafeBytes { try SealedBytes(copying: $0) },
                rolloverCounter: roc)
        }

        /// The trial entry point on an array, trimmed to the received length on success.
        func receive(_ wire: inout [UInt8], candidate: EndToEndKeyCandidate) throws(DoubleSRTPError)
            -> DoubleSRTPReceived
        {
            let outcome = wire.withUnsafeMutableBytes { buffer in
                Result { () throws(DoubleSRTPError) in
                    try bob.receive(buffer, length: buffer.count, candidate: candidate)
                }
            }
            let received = try outcome.get()
            wire.removeLast(wire.count - received.length)
            return received
        }
    }

    @Test("a wrong candidate changes nothing; the right one is installed on success")
    func trialCommitsOnSuccess() throws {
        let scene = try TrialScene()
        let (plain, wire) = try scene.packet(1)
        var buffer = wire
        #expect(throws: DoubleSRTPError.unknownSSRC(0xA)) { try scene.bob.receive(&buffer) }
        #expect(throws: DoubleSRTPError.authenticationFailed(.inner)) {
            try scene.receive(
                &buffer, candidate: scene.candidate(key: [UInt8](repeating: 9, count: 16)))
        }
        #expect(buffer == wire)
        #expect(try !scene.bob.hasEndToEndKey(ssrc: 0xA))
        #expect(try scene.bob.rolloverCounter(ssrc: 0xA, layer: .outer) == nil)
        #expect(throws: DoubleSRTPError.invalidArgument("end-to-end key must be 16 octets")) {
            try scene.receive(
                &buffer, candidate: scene.candidate(key: [UInt8](repeating: 9, count: 32)))
        }

        _ = try scene.receive(&buffer, candidate: scene.candidate(key: scene.aliceKey))
        #expect(buffer == plain)
        #expect(try scene.bob.hasEndToEndKey(ssrc: 0xA))
        // Installed: later packets need no candidate; the trial packet is not accepted again.
        var second = try scene.packet(2).wire
        try scene.bob.receive(&second)
        var again = wire
        #expect(throws: DoubleSRTPError.replayed(.outer)) { try scene.bob.receive(&again) }
    }

    @Test("a candidate replaces an installed key only when the packet verifies with it (rekey)")
    func trialReplacesOnSuccess() throws {
        let scene = try TrialScene()
        let store = scene.conference.store
        let stale = try store.importSRTPMasterKey(
            [UInt8](repeating: 7, count: 16), salt: Array(scene.conferenceSalt[..<12]),
            for: .aeadAES128GCM)
        try scene.bob.setEndToEndKey(stale, in: store, ssrc: 0xA)
        let (plain, wire) = try scene.packet(1)
        var buffer = wire
        #expect(throws: DoubleSRTPError.authenticationFailed(.inner)) {
            try scene.bob.receive(&buffer)
        }
        #expect(throws: DoubleSRTPError.authenticationFailed(.inner)) {
            try scene.receive(
                &buffer, candidate: scene.candidate(key: [UInt8](repeating: 7, count: 16)))
        }
        #expect(buffer == wire)
        let received = try scene.receive(&buffer, candidate: scene.candidate(key: scene.aliceKey))
        #expect(buffer == plain && received.originalSequenceNumber == 1)
        var second = try scene.packet(2).wire
        try scene.bob.receive(&second)
        // Revoking the replaced store key no longer touches the SSRC.
        store.revoke(stale)
        #expect(try scene.bob.hasEndToEndKey(ssrc: 0xA))
    }

    @Test("the candidate's ROC is the inner ROC the packet is checked with")
    func trialUsesCandidateROC() throws {
        let scene = try TrialScene()
        try scene.sender.setRolloverCounter(5, ssrc: 0xA)
        try scene.md.setRolloverCounter(5, ssrc: 0xA, on: scene.ingress)
        let (plain, wire) = try scene.packet(1)
        var buffer = wire
        // The distributor's egress ROC is its own (0): only the inner ROC is 5 at Bob.
        #expect(throws: DoubleSRTPError.authenticationFailed(.inner)) {
            try scene.receive(&buffer, candidate: scene.candidate(key: scene.aliceKey, roc: 0))
        }
        _ = try scene.receive(&buffer, candidate: scene.candidate(key: scene.aliceKey, roc: 5))
        #expect(buffer == plain)
        #expect(try scene.bob.rolloverCounter(ssrc: 0xA, layer: .inner) == 5)
    }

    @Test(
        "a candidate equal to the installed key keeps its replay list: no reset by a repeated tag")
    func trialWithInstalledKey() throws {
        let scene = try TrialScene()
        // The distributor opens Alice's packet 1 once and can forward copies at will.
        var opened = DoublePackets.rtp(sequence: 1, ssrc: 0xA, payload: [1, 2, 3])
        try scene.sender.protect(&opened)
        _ = try scene.md.open(&opened, from: scene.ingress)
        var first = opened
        try scene.md.forward(&first, to: scene.egress)
        _ = try scene.receive(&first, candidate: scene.candidate(key: scene.aliceKey))
        // A copy under a fresh outer SEQ, with the same FullEKTField key (a new SealedBytes, and
        // the salt longer than used): the installed inner replay list refuses it.
        var replay = opened
        try scene.md.forward(&replay, to: scene.egress, rewrite: .init(sequenceNumber: 500))
        let wire = replay
        #expect(throws: DoubleSRTPError.replayed(.inner)) {
            try scene.receive(&replay, candidate: scene.candidate(key: scene.aliceKey, roc: 9))
        }
        #expect(replay == wire)
        #expect(try scene.bob.rolloverCounter(ssrc: 0xA, layer: .inner) == 0)
        // The same SealedBytes object as the installed one is recognised too.
        let candidate = try scene.candidate(key: scene.aliceKey)
        var next = try scene.packet(2).wire
        _ = try scene.receive(&next, candidate: candidate)
        var again = opened
        try scene.md.forward(&again, to: scene.egress, rewrite: .init(sequenceNumber: 501))
        #expect(throws: DoubleSRTPError.replayed(.inner)) {
            try scene.receive(&again, candidate: candidate)
        }
    }

    @Test("a candidate equal to a key installed from the store is recognised")
    func trialWithStoreKey() throws {
        let scene = try TrialScene()
        let store = scene.conference.store
        let installed = try store.importSRTPMasterKey(
            scene.aliceKey, salt: Array(scene.conferenceSalt[..<12]), for: .aeadAES128GCM)
        try scene.bob.setEndToEndKey(installed, in: store, ssrc: 0xA)
        var first = try scene.packet(1).wire
        try scene.bob.receive(&first)
        var second = try scene.packet(2).wire
        _ = try scene.receive(&second, candidate: scene.candidate(key: scene.aliceKey))
        // Still the store key's stream: revoking it removes the SSRC.
        store.revoke(installed)
        #expect(try !scene.bob.hasEndToEndKey(ssrc: 0xA))
    }
}
