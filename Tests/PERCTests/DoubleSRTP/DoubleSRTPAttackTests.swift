import Testing

@testable import PERC

/// What a malicious Media Distributor (RFC 8871 §8.2) and an on-path attacker (§8.1) can try, and
/// what the endpoints do: every attempt fails with a typed error, the buffer comes back as it was
/// and no state changes — shown each time by the genuine packet, at the same outer SEQ and inner
/// index, being accepted afterwards.
@Suite("Double SRTP attacks")
struct DoubleSRTPAttackTests {
    static let aliceSSRC: UInt32 = 0xA11C_E000
    static let daveSSRC: UInt32 = 0xDA5E_0000

    /// Alice and Dave send through the distributor's honest ingresses; towards Bob the
    /// distributor turns malicious: it holds Bob's hop key (as it must) and seals what it likes.
    final class Scene {
        let conference = DoubleConference(.doubleAEADAES128GCM)
        let alice: DoubleConference.Endpoint
        let dave: DoubleConference.Endpoint
        let md: MediaDistributor
        let fromAlice: MediaDistributor.Ingress
        let fromDave: MediaDistributor.Ingress
        let bobHopKey: [UInt8]
        let bobHopSalt: [UInt8]
        let bob: DoubleSRTPReceiver

        init() throws {
            var rng = SeededGenerator(seed: 0xBAD)
            alice = try conference.endpoint()
            dave = try conference.endpoint()
            md = try conference.distributor()
            fromAlice = try md.addIngress(hopKey: alice.hop, in: conference.store)
            fromDave = try md.addIngress(hopKey: dave.hop, in: conference.store)
            bobHopKey = rng.bytes(16)
            bobHopSalt = rng.bytes(12)
            let bobHop = try conference.store.importHopKey(
                bobHopKey, salt: bobHopSalt, for: conference.profile)
            bob = try conference.receiver(
                hop: bobHop,
                senders: [aliceSSRC: alice.endToEnd, daveSSRC: dave.endToEnd])
        }

        /// A packet of `ssrc`'s sender, double protected, and opened by the distributor.
        func opened(
            ssrc: UInt32 = aliceSSRC, sequence: UInt16, csrcs: [UInt32] = [0x0C5C_0001]
        ) throws -> (plain: [UInt8], opened: [UInt8]) {
            let plain = DoublePackets.rtp(
                sequence: sequence, ssrc: ssrc, marker: true, csrcs: csrcs,
                extensionWords: [0x1011_2233], payload: Array("secret media \(sequence)".utf8))
            var packet = plain
            let endpoint = ssrc == aliceSSRC ? alice : dave
            try endpoint.sender.protect(&packet)
            _ = try md.open(&packet, from: ssrc == aliceSSRC ? fromAlice : fromDave)
            return (plain, packet)
        }

        /// Seals an opened packet towards Bob exactly as a distributor's egress would, but with a
        /// fresh context each time, so a malicious distributor can reuse any SEQ.
        func seal(_ opened: [UInt8]) throws -> [UInt8] {
            let store = KeyStore()
            let key = try store.importSRTPMasterKey(
                bobHopKey, salt: bobHopSalt, for: .aeadAES128GCM)
            let session = try SRTPSession(
                key: key, in: store, configuration: .init(profile: .aeadAES128GCM))
            var packet = opened
            try session.protectRTP(&packet)
            return packet
        }

        struct State: Equatable {
            var rocs: [UInt32?]
            var keys: [Bool]
        }

        func state() throws -> State {
            var rocs: [UInt32?] = []
            for ssrc in [aliceSSRC, daveSSRC] {
                rocs.append(try bob.rolloverCounter(ssrc: ssrc, layer: .outer))
                rocs.append(try bob.rolloverCounter(ssrc: ssrc, layer: .inner))
            }
            return State(
                rocs: rocs,
                keys: [
                    try bob.hasEndToEndKey(ssrc: aliceSSRC), try bob.hasEndToEndKey(ssrc: daveSSRC),
                ])
        }

        /// Bob refuses `wire` with `expected` (any `DoubleSRTPError` if nil), leaving the buffer
        /// and his state as they were.
        func expectRejected(
            _ wire: [UInt8], _ expected: DoubleSRTPError?, length: Int? = nil,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let before = try state()
            var buffer = wire
            do {
                _ = try buffer.withUnsafeMutableBytes {
                    try bob.receive($0, length: length ?? $0.count)
                }
                Issue.record("accepted a packet it must refuse", sourceLocation: sourceLocation)
            } catch {
                if let expected {
                    #expect(error as? DoubleSRTPError == expected, sourceLocation: sourceLocation)
                } else {
                    #expect(error is DoubleSRTPError, sourceLocation: sourceLocation)
                }
            }
            #expect(buffer == wire, "buffer changed", sourceLocation: sourceLocation)
            #expect(try state() == before, "state changed", sourceLocation: sourceLocation)
        }

        /// Bob accepts `wire` and recovers `plain`'s payload and the sender's header values.
        func expectAccepted(
            _ wire: [UInt8], plain: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            var buffer = wire
            let received = try bob.receive(&buffer)
            #expect(
                Array(buffer[received.payloadRange])
                    == Array(plain[DoublePackets.headerLength(plain)...]),
                sourceLocation: sourceLocation)
            #expect(
                received.originalSequenceNumber == DoublePackets.sequence(plain)
                    && received.originalPayloadType == DoublePackets.payloadType(plain)
                    && received.originalMarker == DoublePackets.marker(plain),
                sourceLocation: sourceLocation)
        }
    }

    static let headerLength = 12 + 4 + 8  // one CSRC, one extension word

    @Test("flipping any bit of the inner ciphertext or inner tag: inner authentication fails")
    func innerFlips() throws {
        let scene = try Scene()
        let (plain, opened) = try scene.opened(sequence: 100)
        let innerEnd = opened.count - 1  // the OHB is the last octet
        for position in Self.headerLength..<innerEnd {
            var forged = opened
            forged[position] ^= 1 << UInt8(position % 8)
            try scene.expectRejected(try scene.seal(forged), .authenticationFailed(.inner))
        }
        try scene.expectAccepted(try scene.seal(opened), plain: plain)
    }

    @Test(
        "a forged OHB: reserved bits, B without M, a PT with the high bit, an OHB removed or added")
    func forgedOHB() throws {
        let scene = try Scene()
        let (plain, opened) = try scene.opened(sequence: 7)
        let body = Array(opened.dropLast())
        for config: UInt8 in [0x10, 0x20, 0x40, 0x80, 0xF0, 0x1F] {
            try scene.expectRejected(
                try scene.seal(body + [config]), .invalidOriginalHeaderBlock(.reservedBits))
        }
        try scene.expectRejected(
            try scene.seal(body + [0x08]), .invalidOriginalHeaderBlock(.markerValueWithoutFlag))
        try scene.expectRejected(
            try scene.seal(body + [0xE0, 0x02]), .invalidOriginalHeaderBlock(.payloadTypeHighBit))
        // Removed: the inner tag's last octet is read as the Config.
        try scene.expectRejected(try scene.seal(body), nil)
        // An extra empty OHB, or a SEQ entry taken from the inner tag, moves the inner tag.
        try scene.expectRejected(try scene.seal(opened + [0x00]), .authenticationFailed(.inner))
        try scene.expectRejected(try scene.seal(body + [0x01]), .authenticationFailed(.inner))
        try scene.expectAccepted(try scene.seal(opened), plain: plain)
    }

    @Test("lying about the original PT, SEQ or M, or changing any other header field")
    func lies() throws {
        let scene = try Scene()
        let (plain, opened) = try scene.opened(sequence: 100)
        let body = Array(opened.dropLast())
        func header(_ change: (inout [UInt8]) -> Void, ohb: [UInt8]) -> [UInt8] {
            var packet = body + ohb
            change(&packet)
            return packet
        }
        let forgeries: [[UInt8]] = [
            // PT 96 → 100 with a false original (97) in the OHB, or not recorded at all.
            header({ $0[1] = 0x80 | 100 }, ohb: [97, 0x02]),
            header({ $0[1] = 0x80 | 100 }, ohb: [0x00]),
            // SEQ 100 → 0x42 with a false original (99), or not recorded.
            header({ $0[3] = 0x42 }, ohb: [0x00, 99, 0x01]),
            header({ $0[3] = 0x42 }, ohb: [0x00]),
            // M 1 → 0 claiming it was 0, or not recorded.
            header({ $0[1] &= 0x7F }, ohb: [0x04]),
            header({ $0[1] &= 0x7F }, ohb: [0x00]),
            // The OHB alone lies; the header is untouched.
            header({ _ in }, ohb: [95, 0x02]),
            header({ _ in }, ohb: [0x04]),
            // Fields no distributor may change (RFC 8723 §4): timestamp, CSRC, the P bit.
            header({ $0[7] ^= 0x01 }, ohb: [0x00]),
            header({ $0[12] ^= 0x80 }, ohb: [0x00]),
            // (P with an OHB whose last octet is a valid pad count, for the sealing session.)
            header({ $0[0] |= 0x20 }, ohb: [0x00, 100, 0x01]),
        ]
        for forged in forgeries {
            try scene.expectRejected(try scene.seal(forged), .authenticationFailed(.inner))
        }
        // Honest records of real changes are accepted: PT, SEQ and M all rewritten.
        let honest = header(
            {
                $0[1] = 100
                $0[2] = 0
                $0[3] = 0x42
            }, ohb: [96, 0x00, 100, 0x0F])
        try scene.expectAccepted(try scene.seal(honest), plain: plain)
    }

    @Test("an old inner packet replayed under a fresh outer SEQ")
    func innerReplay() throws {
        let scene = try Scene()
        let (plain, opened) = try scene.opened(sequence: 100)
        try scene.expectAccepted(try scene.seal(opened), plain: plain)
        // Same inner packet, outer SEQ 1000, the original SEQ honestly recorded.
        var replayed = Array(opened.dropLast()) + [0x00, 100, 0x01]
        replayed[2] = 0x03
        replayed[3] = 0xE8
        try scene.expectRejected(try scene.seal(replayed), .replayed(.inner))
        // Outer SEQ 1000 was not consumed: the next genuine packet may use it.
        let (next, nextOpened) = try scene.opened(sequence: 101)
        var renumbered = Array(nextOpened.dropLast()) + [0x00, 101, 0x01]
        renumbered[2] = 0x03
        renumbered[3] = 0xE8
        try scene.expectAccepted(try scene.seal(renumbered), plain: next)
        // The whole wire packet again: the hop's replay list refuses it.
        try scene.expectRejected(try scene.seal(renumbered), .replayed(.outer))
    }

    @Test("one sender's inner packet spliced onto another SSRC")
    func splice() throws {
        let scene = try Scene()
        let (alicePlain, fromAlice) = try scene.opened(ssrc: Self.aliceSSRC, sequence: 5)
        let (davePlain, fromDave) = try scene.opened(ssrc: Self.daveSSRC, sequence: 5)
        func withSSRC(_ packet: [UInt8], _ ssrc: UInt32) -> [UInt8] {
            var packet = packet
            packet.replaceSubrange(8..<12, with: RTPPacketBuilder.bigEndian(ssrc))
            return packet
        }
        try scene.expectRejected(
            try scene.seal(withSSRC(fromDave, Self.aliceSSRC)), .authenticationFailed(.inner))
        try scene.expectRejected(
            try scene.seal(withSSRC(fromAlice, Self.daveSSRC)), .authenticationFailed(.inner))
        try scene.expectRejected(try scene.seal(withSSRC(fromAlice, 0x0BAD)), .unknownSSRC(0x0BAD))
        try scene.expectAccepted(try scene.seal(fromAlice), plain: alicePlain)
        try scene.expectAccepted(try scene.seal(fromDave), plain: davePlain)
    }

    @Test("every truncation and every flipped octet on the wire is refused")
    func truncationAndWireFlips() throws {
        let scene = try Scene()
        let (plain, opened) = try scene.opened(sequence: 9)
        let wire = try scene.seal(opened)
        // Header: 12 fixed, one CSRC (4), an extension block of one word (8) = 24 octets.
        func expected(_ length: Int) -> DoubleSRTPError {
            switch length {
            case ..<12: .malformed(.truncated)
            case ..<16: .malformed(.csrcPastEnd)
            case ..<24: .malformed(.extensionPastEnd)
            case ..<(24 + DoubleSRTPProfile.senderOverhead): .malformed(.truncated)
            default: .authenticationFailed(.outer)
            }
        }
        for length in 0..<wire.count {
            try scene.expectRejected(wire, expected(length), length: length)
        }
        for position in wire.indices {
            var flipped = wire
            flipped[position] ^= 0x04
            try scene.expectRejected(flipped, nil)
        }
        try scene.expectAccepted(wire, plain: plain)
    }

    @Test("short and odd lengths never crash the receiver, the distributor or repair mode")
    func shortInputs() throws {
        let scene = try Scene()
        let toBob = try scene.md.addEgress(
            hopKey: scene.conference.hopKey(), in: scene.conference.store)
        var wire = DoublePackets.rtp(sequence: 3, ssrc: Self.aliceSSRC, payload: [1, 2, 3])
        try scene.alice.sender.protect(&wire)
        for length in 0..<wire.count {
            var buffer = wire + [0, 0, 0]
            #expect(throws: DoubleSRTPError.self) {
                try buffer.withUnsafeMutableBytes {
                    try scene.md.relay($0, length: length, from: scene.fromAlice, to: toBob)
                }
            }
            #expect(throws: DoubleSRTPError.self) {
                try buffer.withUnsafeMutableBytes {
                    try scene.md.open($0, length: length, from: scene.fromAlice)
                }
            }
            #expect(throws: DoubleSRTPError.self) {
                try buffer.withUnsafeMutableBytes {
                    try scene.bob.receiveRepair($0, length: length)
                }
            }
            #expect(buffer == wire + [0, 0, 0])
        }
        var buffer = wire
        #expect(throws: DoubleSRTPError.malformed(.truncated)) {
            try buffer.withUnsafeMutableBytes { try scene.bob.receive($0, length: -1) }
        }
        #expect(throws: DoubleSRTPError.malformed(.truncated)) {
            try buffer.withUnsafeMutableBytes { try scene.bob.receive($0, length: $0.count + 1) }
        }
        // Still relayed afterwards: nothing was committed.
        try scene.md.relay(&buffer, from: scene.fromAlice, to: toBob)
    }
}

/// The distributor refuses bad packets without changing the packet or its state.
@Suite("Media Distributor refusals")
struct MediaDistributorRefusalTests {
    let conference = DoubleConference(.doubleAEADAES256GCM)
    let aliceHopKey = (0..<32).map { UInt8(0xA0 + $0) }
    let aliceHopSalt = (0..<12).map { UInt8(0x50 + $0) }

    /// A distributor leg from Alice (whose hop key bytes a test can use) and one to Bob.
    func scene() throws -> (
        DoubleConference.Endpoint, MediaDistributor, MediaDistributor.Ingress,
        MediaDistributor.Egress
    ) {
        let hop = try conference.store.importHopKey(
            aliceHopKey, salt: aliceHopSalt, for: conference.profile)
        let endToEnd = try conference.store.generateEndToEndKey(for: conference.profile)
        let alice = DoubleConference.Endpoint(
            endToEnd: endToEnd, hop: hop,
            sender: try DoubleSRTPSender(
                profile: conference.profile, endToEndKey: endToEnd, hopKey: hop,
                in: conference.store))
        let md = try conference.distributor(ektInUse: true)
        let ingress = try md.addIngress(hopKey: hop, in: conference.store)
        let egress = try md.addEgress(hopKey: conference.hopKey(), in: conference.store)
        return (alice, md, ingress, egress)
    }

    func packet(_ alice: DoubleConference.Endpoint, sequence: UInt16) throws -> [UInt8] {
        var packet = DoublePackets.rtp(
            sequence: sequence, ssrc: 0xA, extensionWords: [0x1000_0000], payload: [9, 9, 9])
        try alice.sender.protect(&packet)
        return packet + [0x00]  // ShortEKTField
    }

    /// `relay` throws `expected` and leaves the buffer as it was.
    func expectRefused(
        _ md: MediaDistributor, _ wire: [UInt8], from ingress: MediaDistributor.Ingress,
        to egress: MediaDistributor.Egress, rewrite: MediaDistributor.HeaderRewrite = .none,
        capacity: Int? = nil, _ expected: DoubleSRTPError,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var buffer = wire + [UInt8](repeating: 0, count: (capacity ?? wire.count + 3) - wire.count)
        let before = buffer
        #expect(throws: expected, sourceLocation: sourceLocation) {
            try buffer.withUnsafeMutableBytes {
                try md.relay($0, length: wire.count, from: ingress, to: egress, rewrite: rewrite)
            }
        }
        #expect(buffer == before, sourceLocation: sourceLocation)
    }

    @Test("outer tampering, egress SEQ reuse, a tiny buffer: refused, ingress not committed")
    func refusals() throws {
        let (alice, md, ingress, egress) = try scene()
        let first = try packet(alice, sequence: 1)
        var tampered = first
        tampered[20] ^= 1
        expectRefused(md, tampered, from: ingress, to: egress, .authenticationFailed(.outer))
        expectRefused(
            md, first, from: ingress, to: egress, capacity: first.count + 2,
            .bufferTooSmall(needed: first.count + 3))
        expectRefused(
            md, first, from: ingress, to: egress, rewrite: .init(payloadType: 128),
            .invalidArgument("payload type 128 is not 7 bits"))
        var relayed = first
        try md.relay(&relayed, from: ingress, to: egress, rewrite: .init(sequenceNumber: 50))
        // Packet 2 renumbered onto egress SEQ 50 again: refused (GCM nonce reuse on the egress).
        let second = try packet(alice, sequence: 2)
        expectRefused(
            md, second, from: ingress, to: egress, rewrite: .init(sequenceNumber: 50),
            .replayed(.outer))
        // Packet 2 was not committed on the ingress: it relays with a fresh SEQ.
        var again = second
        try md.relay(&again, from: ingress, to: egress, rewrite: .init(sequenceNumber: 51))
        expectRefused(md, second, from: ingress, to: egress, .replayed(.outer))
    }

    @Test("an invalid OHB from upstream: refused with the outer ciphertext put back")
    func invalidUpstreamOHB() throws {
        let (alice, md, ingress, egress) = try scene()
        // An upstream that writes a reserved Config bit, sealed with Alice's hop key.
        let store = KeyStore()
        let key = try store.importSRTPMasterKey(
            aliceHopKey, salt: aliceHopSalt, for: .aeadAES256GCM)
        let session = try SRTPSession(
            key: key, in: store, configuration: .init(profile: .aeadAES256GCM))
        var forged = DoublePackets.rtp(
            sequence: 1, ssrc: 0xA, payload: [UInt8](repeating: 7, count: 20) + [0x10])
        try session.protectRTP(&forged)
        forged.append(0x00)
        expectRefused(
            md, forged, from: ingress, to: egress, .invalidOriginalHeaderBlock(.reservedBits))
        // SEQ 1 was not committed on the ingress: Alice's genuine packet 1 relays.
        var genuine = try packet(alice, sequence: 1)
        try md.relay(&genuine, from: ingress, to: egress)
    }

    @Test("an unparseable EKT field, unknown and removed legs")
    func ektFieldAndLegs() throws {
        let (alice, md, ingress, egress) = try scene()
        var wire = try packet(alice, sequence: 1)
        wire[wire.count - 1] = 0x01  // EKT message type 1: no length defined (RFC 8870 §7.1)
        expectRefused(
            md, wire, from: ingress, to: egress,
            .ektField(.unknownMessageType(0x01, tagLength: nil)))
        md.remove(egress)
        expectRefused(md, try packet(alice, sequence: 2), from: ingress, to: egress, .unknownLeg)
        md.remove(ingress)
        #expect(throws: DoubleSRTPError.unknownLeg) {
            try md.rolloverCounter(ssrc: 0xA, on: ingress)
        }
    }

    @Test("a leg of another distributor, or of one gone, is unknown; its hop key is free again")
    func foreignAndOrphanedLegs() throws {
        let (alice, md, ingress, egress) = try scene()
        let other = try conference.distributor(ektInUse: true)
        let otherEgress = try other.addEgress(hopKey: conference.hopKey(), in: conference.store)
        expectRefused(
            md, try packet(alice, sequence: 1), from: ingress, to: otherEgress, .unknownLeg)
        #expect(throws: DoubleSRTPError.unknownLeg) {
            try other.rolloverCounter(ssrc: 0xA, on: ingress)
        }
        // Removing another distributor's leg changes nothing: the relay still runs.
        other.remove(ingress)
        var wire = try packet(alice, sequence: 2)
        try md.relay(&wire, from: ingress, to: egress)
        // A removed leg's hop key can key a new leg.
        md.remove(ingress)
        let again = try md.addIngress(hopKey: alice.hop, in: conference.store)
        var next = try packet(alice, sequence: 3)
        try md.relay(&next, from: again, to: egress)
        #expect(again != ingress)

        // Handles outlive their distributor; its legs are wiped with it.
        let orphan: MediaDistributor.Egress
        do {
            let gone = try conference.distributor(ektInUse: true)
            orphan = try gone.addEgress(hopKey: conference.hopKey(), in: conference.store)
        }
        #expect(throws: DoubleSRTPError.unknownLeg) {
            try orphan.leg.layers.withLayers { engine in
                engine.rolloverCounter(ssrc: 0xA, direction: .outbound)
            }
        }
    }
}
