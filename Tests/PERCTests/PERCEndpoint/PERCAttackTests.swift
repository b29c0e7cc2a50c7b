import Testing

@testable import PERC

/// What a malicious Media Distributor, or anyone on a hop, can try against a PERC receiver
/// (RFC 8871 §8.2; RFC 8723 §5.3; RFC 8870 §4.1, §6). Each attempt is a typed error that changes
/// nothing: the genuine packet it was made from then decodes at the very same outer SEQ.
@Suite("PERC endpoints: attacks")
struct PERCAttackTests {
    static let alice: UInt32 = 0xA11C_E000
    static let dave: UInt32 = 0xDA7E_0000

    /// Alice and Dave send through MD1 to MD2, which holds the hop keys to Bob (receiver 0) and
    /// turns malicious: it opens packets like an honest distributor, then seals what it likes
    /// with Bob's hop key (a double SRTP sender in its own store, used for the outer layer only).
    /// SEQs stay far from the wrap and packets unpadded, so that forger seals any bytes at the
    /// outer index the receiver expects.
    final class Scene {
        let chain: PERCChain
        let alice: PERCSender
        let bob: PERCReceiver
        var bobStore: KeyStore { chain.receiverEndpoints[0].store }
        /// Opened copies and wire packets of Alice's first packets (Full fields, key K1).
        private(set) var aliceFirst: (opened: [UInt8], wire: [UInt8])!
        private let attackerStore = KeyStore()
        private var forgers: [Int: DoubleSRTPSender] = [:]
        private var sequences: [UInt32: UInt16] = [
            PERCAttackTests.alice: 100, PERCAttackTests.dave: 40000,
        ]

        init(_ profile: DoubleSRTPProfile) throws {
            chain = try PERCChain(profile, md1FirstSequence: 1000)
            alice = try chain.addSender(ssrc: PERCAttackTests.alice)
            try chain.addSender(ssrc: PERCAttackTests.dave)
            try chain.addReceiver()
            bob = chain.receivers[0]
            // Both streams start: Full fields (3) then Short ones.
            for i in 0..<4 {
                for ssrc in [PERCAttackTests.alice, PERCAttackTests.dave] {
                    let (plain, wire, opened) = try fresh(ssrc)
                    if i == 0 && ssrc == PERCAttackTests.alice { aliceFirst = (opened, wire) }
                    try bob.expectDelivers(try chain.forward(opened, to: 0), plain)
                }
            }
        }

        /// A new packet of `ssrc`, as sent and as MD2 has it opened (not forwarded yet).
        func fresh(_ ssrc: UInt32) throws -> (plain: [UInt8], wire: [UInt8], opened: [UInt8]) {
            sequences[ssrc]! &+= 1
            let plain = PERCPackets.rich(sequences[ssrc]!, ssrc: ssrc, marker: true, padding: 0)
            let wire = try chain.send(plain)
            return (plain, wire, try chain.toMD2(wire))
        }

        /// Seals `opened` (with its EKT field) for receiver `index` with that hop's key.
        func seal(_ opened: [UInt8], for index: Int = 0) throws -> [UInt8] {
            if forgers[index] == nil {
                let hop = chain.receiverHops[index]
                forgers[index] = try DoubleSRTPSender(
                    profile: chain.conference.profile,
                    endToEndKey: attackerStore.generateEndToEndKey(for: chain.conference.profile),
                    hopKey: attackerStore.importHopKey(
                        hop.key, salt: hop.salt, for: chain.conference.profile),
                    in: attackerStore)
            }
            let ektLength = try PERCPackets.ektLength(opened)
            var packet = Array(opened.dropLast(ektLength))
            try forgers[index]!.protectRepair(&packet)
            return packet + opened.suffix(ektLength)
        }

        /// Refused with `error`, then the genuine packet decodes at the same outer SEQ.
        func expectRefusedThenGenuine(
            _ forged: [UInt8], _ error: PERCError, genuine opened: [UInt8], _ plain: [UInt8],
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            bob.expectRefused(forged, error, store: bobStore, sourceLocation: sourceLocation)
            try bob.expectDelivers(
                try chain.forward(opened, to: 0), plain, sourceLocation: sourceLocation)
        }
    }

    /// The regions of an opened packet: `| header | inner ct | inner tag | OHB | EKT field |`.
    struct Layout {
        let header: Int
        let ohb: Range<Int>
        let ekt: Int

        init(_ opened: [UInt8]) throws {
            header = DoublePackets.headerLength(opened)
            ekt = opened.count - (try PERCPackets.ektLength(opened))
            let config = opened[ekt - 1]
            let length = 1 + (config & 0x02 != 0 ? 1 : 0) + (config & 0x01 != 0 ? 2 : 0)
            ohb = (ekt - length)..<ekt
        }

        /// `opened` with its OHB replaced by `ohb`.
        func replacingOHB(of opened: [UInt8], with ohb: [UInt8]) -> [UInt8] {
            Array(opened[..<self.ohb.lowerBound]) + ohb + opened[ekt...]
        }
    }

    static func withSequence(_ packet: [UInt8], _ sequence: UInt16) -> [UInt8] {
        var copy = packet
        copy[2] = UInt8(sequence >> 8)
        copy[3] = UInt8(truncatingIfNeeded: sequence)
        return copy
    }

    @Test(
        "MD flips any byte of the inner ciphertext, the inner tag or the E2E header fields",
        arguments: DoubleSRTPProfile.allCases)
    func flippedBytes(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let sample = try Layout(try scene.fresh(Self.alice).opened)
        // Timestamp, SSRC and a CSRC octet (inner AAD), then every inner ciphertext/tag octet.
        let offsets = [4, 7, 11, 12, 19] + Array(sample.header..<sample.ohb.lowerBound)
        for offset in offsets {
            let (plain, _, opened) = try scene.fresh(Self.alice)
            var tampered = opened
            tampered[offset] ^= 0x01
            let expected: PERCError =
                (8..<12).contains(offset)
                ? .noKey(ssrc: PERCPackets.ssrc(tampered))
                : .doubleSRTP(.authenticationFailed(.inner))
            try scene.expectRefusedThenGenuine(
                try scene.seal(tampered), expected, genuine: opened, plain)
        }
    }

    @Test(
        "MD lies in the OHB, forges an invalid one, or removes it",
        arguments: DoubleSRTPProfile.allCases)
    func originalHeaderBlock(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        // MD1 renumbered every packet: the OHB records the original SEQ (Config 0x01).
        let inner = PERCError.doubleSRTP(.authenticationFailed(.inner))
        let lies: [(String, ([UInt8]) -> [UInt8], PERCError)] = [
            ("original SEQ + 1", { ohb in [ohb[0], ohb[1] &+ 1, 0x01] }, inner),
            ("original PT added", { ohb in [0x05, ohb[0], ohb[1], 0x03] }, inner),
            ("marker flipped (sender's M was 1)", { ohb in [ohb[0], ohb[1], 0x05] }, inner),
            ("SEQ entry dropped", { _ in [0x00] }, inner),
            (
                "reserved bit", { ohb in [ohb[0], ohb[1], 0x11] },
                .doubleSRTP(.invalidOriginalHeaderBlock(.reservedBits))
            ),
            (
                "B without M", { ohb in [ohb[0], ohb[1], 0x09] },
                .doubleSRTP(.invalidOriginalHeaderBlock(.markerValueWithoutFlag))
            ),
            (
                "PT octet with the high bit", { ohb in [0xE0, ohb[0], ohb[1], 0x03] },
                .doubleSRTP(.invalidOriginalHeaderBlock(.payloadTypeHighBit))
            ),
        ]
        for (what, lie, expected) in lies {
            let (plain, _, opened) = try scene.fresh(Self.alice)
            let layout = try Layout(opened)
            #expect(opened[layout.ohb.upperBound - 1] == 0x01, "\(what)")
            let forged = layout.replacingOHB(of: opened, with: lie(Array(opened[layout.ohb])))
            try scene.expectRefusedThenGenuine(
                try scene.seal(forged), expected, genuine: opened, plain)
        }
        // No OHB at all: the end of the inner tag is read as one, and whatever it says, the
        // packet is refused as an invalid OHB or by the inner layer.
        for _ in 0..<8 {
            let (plain, _, opened) = try scene.fresh(Self.alice)
            let layout = try Layout(opened)
            let forged = try scene.seal(layout.replacingOHB(of: opened, with: []))
            let before = scene.bob.snapshot(scene.bobStore)
            var copy = forged
            do {
                try scene.bob.receive(&copy)
                Issue.record("a packet without OHB was accepted")
            } catch .doubleSRTP(.invalidOriginalHeaderBlock), .doubleSRTP(
                .authenticationFailed(.inner))
            {
                #expect(copy == forged)
            }
            #expect(scene.bob.snapshot(scene.bobStore) == before)
            try scene.bob.expectDelivers(try scene.chain.forward(opened, to: 0), plain)
        }
    }

    @Test(
        "MD replays an old inner payload under a fresh outer SEQ",
        arguments: DoubleSRTPProfile.allCases)
    func innerReplay(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let (plain, _, opened) = try scene.fresh(Self.alice)
        try scene.bob.expectDelivers(try scene.chain.forward(opened, to: 0), plain)
        // The distributor's own API forwards its opened copy again at any SEQ it likes.
        let replayed = try scene.chain.forward(
            opened, to: 0,
            rewrite: .init(sequenceNumber: scene.chain.nextMD1Sequence(Self.alice) &+ 100))
        scene.bob.expectRefused(replayed, .doubleSRTP(.replayed(.inner)), store: scene.bobStore)
        let next = try scene.fresh(Self.alice)
        try scene.bob.expectDelivers(try scene.chain.forward(next.opened, to: 0), next.plain)
    }

    @Test("MD splices Alice's inner packet onto Dave's SSRC", arguments: DoubleSRTPProfile.allCases)
    func splice(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let (plain, _, opened) = try scene.fresh(Self.alice)
        var spliced = Self.withSequence(opened, scene.chain.nextMD1Sequence(Self.dave) &+ 100)
        spliced.replaceSubrange(8..<12, with: RTPPacketBuilder.bigEndian(Self.dave))
        // Under Dave's key (a Short field): the SSRC is in the inner AAD and nonce.
        try scene.expectRefusedThenGenuine(
            try scene.seal(spliced), .doubleSRTP(.authenticationFailed(.inner)), genuine: opened,
            plain)
        // With Alice's Full field: the SSRC inside it is Alice's (RFC 8870 §4.3.2 step 5).
        let full = try scene.aliceFirst.wire.suffix(PERCPackets.ektLength(scene.aliceFirst.wire))
        let withFull =
            Self.withSequence(
                Array(spliced.dropLast()), scene.chain.nextMD1Sequence(Self.dave) &+ 200) + full
        let next = try scene.fresh(Self.alice)
        try scene.expectRefusedThenGenuine(
            try scene.seal(withFull), .ekt(.ssrcMismatch(packet: Self.dave, field: Self.alice)),
            genuine: next.opened, next.plain)
    }

    @Test(
        "an old packet with an older key's Full field and a forged epoch never reinstalls it",
        arguments: DoubleSRTPProfile.allCases)
    func staleKeyWithForgedEpoch(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        // Carol joins after Alice's Full fields for K1: she never sees K1.
        let carol = try scene.chain.addReceiver()
        let carolReceiver = scene.chain.receivers[carol]
        let carolStore = scene.chain.receiverEndpoints[carol].store
        // Alice moves to K2 (epoch 1); both receivers install it.
        try scene.alice.rotateEndToEndKey()
        for _ in 0..<3 {
            let (plain, _, opened) = try scene.fresh(Self.alice)
            for index in [0, carol] {
                let received = try scene.chain.receivers[index].expectDelivers(
                    try scene.chain.forward(opened, to: index), plain)
                #expect(received.epoch == 1)
            }
        }
        // MD2 kept Alice's first packet (K1, epoch 0) and replays it at a fresh outer SEQ,
        // with its epoch as sent and raised to 5 (the epoch is outside the wrapped ciphertext).
        let epochOffset = scene.aliceFirst.opened.count - 5
        for (attempt, epoch) in [(UInt16(100), UInt16(0)), (200, 5)] {
            var forged = Self.withSequence(
                scene.aliceFirst.opened, scene.chain.nextMD1Sequence(Self.alice) &+ attempt)
            forged[epochOffset] = UInt8(epoch >> 8)
            forged[epochOffset + 1] = UInt8(truncatingIfNeeded: epoch)
            // Bob replaced K1: by its fingerprint it is stale whatever the epoch, and under K2,
            // which continues K1's stream, the packet is a replay.
            scene.bob.expectRefused(
                try scene.seal(forged), .doubleSRTP(.replayed(.inner)), store: scene.bobStore)
            // Carol never saw K1. Epoch 0: stale by epoch, and the packet fails K2. Epoch 5: K1
            // is trialled, and its packet is behind the stream K2 holds: a replay.
            carolReceiver.expectRefused(
                try scene.seal(forged, for: carol),
                epoch == 0
                    ? .staleKey(ssrc: Self.alice, spi: 1, epoch: 0)
                    : .doubleSRTP(.replayed(.inner)), store: carolStore)
            for receiver in [scene.bob, carolReceiver] {
                let stream = receiver.stream(ssrc: Self.alice)
                #expect(stream?.epoch == 1 && stream?.hasAnnouncedKey == false)
            }
        }
        let (plain, _, opened) = try scene.fresh(Self.alice)
        for index in [0, carol] {
            #expect(
                try scene.chain.receivers[index].expectDelivers(
                    try scene.chain.forward(opened, to: index), plain
                ).epoch == 1)
        }
    }

    @Test(
        "hop-only media (the inner layer stripped) is refused",
        arguments: DoubleSRTPProfile.allCases)
    func hopOnlyDowngrade(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let full = try scene.aliceFirst.wire.suffix(PERCPackets.ektLength(scene.aliceFirst.wire))
        for ektField in [[EKTField.MessageType.short], Array(full)] {
            let (plain, _, opened) = try scene.fresh(Self.alice)
            // Media in the clear with an empty OHB, under the hop key only.
            let header = Array(opened[..<DoublePackets.headerLength(opened)])
            let stripped = header + Array(String(repeating: "clear media ", count: 4).utf8) + [0]
            try scene.expectRefusedThenGenuine(
                try scene.seal(stripped + ektField), .doubleSRTP(.authenticationFailed(.inner)),
                genuine: opened, plain)
        }
        // Too short to hold an inner tag: malformed.
        let (plain, _, opened) = try scene.fresh(Self.alice)
        let header = Array(opened[..<DoublePackets.headerLength(opened)])
        try scene.expectRefusedThenGenuine(
            try scene.seal(header + [1, 2, 3, 0x00, EKTField.MessageType.short]),
            .doubleSRTP(.malformed(.truncated)), genuine: opened, plain)
    }

    @Test(
        "packets too short for two tags and an OHB are malformed",
        arguments: DoubleSRTPProfile.allCases)
    func tooShort(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let header = Array(
            scene.aliceFirst.wire[..<DoublePackets.headerLength(scene.aliceFirst.wire)])
        for body in [0, 1, 16, 32] {
            let packet =
                header + [UInt8](repeating: 0x5A, count: body) + [EKTField.MessageType.short]
            scene.bob.expectRefused(
                packet, .doubleSRTP(.malformed(.truncated)), store: scene.bobStore)
        }
        // The same with Alice's Full field: the field is fine, the packet is not.
        let full = try scene.aliceFirst.wire.suffix(PERCPackets.ektLength(scene.aliceFirst.wire))
        scene.bob.expectRefused(
            header + [UInt8](repeating: 0x5A, count: 32) + full,
            .doubleSRTP(.malformed(.truncated)), store: scene.bobStore)
        let next = try scene.fresh(Self.alice)
        try scene.bob.expectDelivers(try scene.chain.forward(next.opened, to: 0), next.plain)
    }

    @Test("single SRTP from a conference member is refused", arguments: DoubleSRTPProfile.allCases)
    func singleSRTP(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        // Mallory holds the conference's EKT key and sends single SRTP straight to Bob.
        let mallory = try PERCConference.Endpoint(scene.chain.conference, spis: [1])
        for (ssrc, halfProfile) in [
            (Self.alice, profile.halfProfile), (0x3A11_0000, profile.halfProfile),
        ] {
            let sender = try EKTSender(
                store: mallory.store, ektKey: mallory.ektKeys[1]!,
                configuration: .init(profile: halfProfile))
            for i in 0..<4 {
                var packet = PERCPackets.rich(
                    scene.chain.nextMD1Sequence(Self.alice) &+ UInt16(10 + i), ssrc: ssrc)
                try sender.protectRTP(&packet)
                // Whatever the EKT field says (a key for a new SSRC, trialled; an older key for
                // Alice's, ignored; a Short field for Alice's, her key), the hop refuses it.
                let expected: PERCError =
                    ssrc != Self.alice && !PERCPackets.isFull(packet)
                    ? .noKey(ssrc: ssrc) : .doubleSRTP(.authenticationFailed(.outer))
                scene.bob.expectRefused(packet, expected, store: scene.bobStore)
            }
        }
        if profile == .doubleAEADAES256GCM {
            // A 16-octet single SRTP key does not fit the 256 profile's inner half.
            let sender = try EKTSender(
                store: mallory.store, ektKey: mallory.ektKeys[1]!,
                configuration: .init(profile: .aeadAES128GCM))
            var packet = PERCPackets.rich(1, ssrc: 0x3A11_0001)
            try sender.protectRTP(&packet)
            scene.bob.expectRefused(
                packet, .ekt(.masterKeyLengthMismatch(expected: 32, actual: 16)),
                store: scene.bobStore)
        }
        let next = try scene.fresh(Self.alice)
        try scene.bob.expectDelivers(try scene.chain.forward(next.opened, to: 0), next.plain)
    }

    @Test("MD alters the EKT field: the packet is dropped", arguments: DoubleSRTPProfile.allCases)
    func alteredEKTField(_ profile: DoubleSRTPProfile) throws {
        let scene = try Scene(profile)
        let (plain, _, opened) = try scene.fresh(Self.alice)
        var full = Array(
            try scene.aliceFirst.wire.suffix(PERCPackets.ektLength(scene.aliceFirst.wire)))
        full[3] ^= 0x80
        try scene.expectRefusedThenGenuine(
            try scene.seal(Array(opened.dropLast()) + full), .ekt(.authenticationFailed),
            genuine: opened, plain)
    }
}
