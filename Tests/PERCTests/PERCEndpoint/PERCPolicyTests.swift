import Testing

@testable import PERC

/// The no-downgrade policy of PERC endpoints (RFC 8871 §4.3, §4.5, §8.2): media is accepted only
/// double protected under an end-to-end key that an EKT key of the endpoint's conference
/// delivered, and sent only so; repair packets and RTCP are hop by hop only and never media;
/// ending the conference wipes every end-to-end key.
@Suite("PERC endpoints: no downgrade, key lifetime")
struct PERCPolicyTests {
    static let alice: UInt32 = 0xA11C_E000
    static let profile = DoubleSRTPProfile.doubleAEADAES128GCM

    /// Alice → MD1 → MD2 → Bob, with Alice's key already learned by Bob.
    static func started() throws -> (chain: PERCChain, sender: PERCSender, bob: PERCReceiver) {
        let chain = try PERCChain(profile)
        let sender = try chain.addSender(ssrc: alice)
        try chain.addReceiver()
        let bob = chain.receivers[0]
        for sequence: UInt16 in 1...4 {
            let plain = PERCPackets.rich(sequence, ssrc: alice)
            try bob.expectDelivers(try chain.deliver(plain)[0], plain)
        }
        return (chain, sender, bob)
    }

    @Test("an EKT key of another conference is unknown, even in the receiver's own store")
    func otherConference() throws {
        let chain = try PERCChain(Self.profile)
        try chain.addReceiver()
        let bob = chain.receivers[0]
        let bobStore = chain.receiverEndpoints[0].store
        // Bob's store also holds the EKT key of SPI 7 of another conference.
        try chain.receiverEndpoints[0].addEKTKey(
            spi: 7, scope: KeyScope("other"), conferenceByte: 9)
        // Mallory's double SRTP stream announces its key under that other conference's EKT key
        // (SPI 7), then under a key of SPI 1 that is not this conference's.
        let mallory = try PERCConference.Endpoint(chain.conference, spis: [])
        let other = try mallory.addEKTKey(spi: 7, scope: KeyScope("other"), conferenceByte: 9)
        let forged = try mallory.addEKTKey(spi: 1, scope: KeyScope("forged"), conferenceByte: 9)
        for (ektKey, expected) in [
            (other, PERCError.ekt(.unknownSPI(7))), (forged, .ekt(.authenticationFailed)),
        ] {
            let hop = chain.conference.hop()
            let ingress = try chain.md1.ingress(hop)
            let sender = try PERCSender(
                profile: Self.profile, ektKey: ektKey, hopKey: mallory.hopKey(hop),
                store: mallory.store)
            var packet = PERCPackets.rich(1, ssrc: 0x3A11_0000 + UInt32(ektKey.id))
            try sender.protect(&packet)
            try chain.md1.md.relay(
                &packet, from: ingress, to: chain.md1ToMD2, rewrite: .init(sequenceNumber: 9))
            _ = try chain.md2.md.open(&packet, from: chain.md1ToMD2Ingress)
            let forwarded = try chain.forward(packet, to: 0)
            bob.expectRefused(forwarded, expected, store: bobStore)
        }
        #expect(bob.ssrcs.isEmpty)
    }

    @Test("Short fields before any Full field: no key")
    func shortBeforeFull() throws {
        let chain = try PERCChain(Self.profile)
        try chain.addSender(ssrc: Self.alice, schedule: .init(burst: 1, interval: nil))
        try chain.addReceiver()
        // The only Full field is lost before the distributor.
        _ = try chain.send(PERCPackets.rich(1, ssrc: Self.alice))
        let packets = try chain.deliver(PERCPackets.rich(2, ssrc: Self.alice))
        chain.receivers[0].expectRefused(
            packets[0], .noKey(ssrc: Self.alice), store: chain.receiverEndpoints[0].store)
    }

    @Test("media under an end-to-end key no EKT field delivered is refused, whoever holds the key")
    func keyNotFromEKT() throws {
        let (chain, _, bob) = try Self.started()
        let bobStore = chain.receiverEndpoints[0].store
        // A plain double SRTP sender keyed with an end-to-end key that Bob's application even
        // holds: PERCReceiver has no call to take it, so packets under it are refused.
        let key = try bobStore.generateEndToEndKey(for: Self.profile)
        let hop = chain.conference.hop()
        let ingress = try chain.md1.ingress(hop)
        let rogue = try DoubleSRTPSender(
            profile: Self.profile, endToEndKey: key,
            hopKey: bobStore.importHopKey(hop.key, salt: hop.salt, for: Self.profile), in: bobStore)
        for (ssrc, expected) in [
            (UInt32(0x60_6E00), PERCError.noKey(ssrc: 0x60_6E00)),
            (Self.alice, .doubleSRTP(.authenticationFailed(.inner))),
        ] {
            var packet = PERCPackets.rich(500, ssrc: ssrc)
            try rogue.protect(&packet)
            packet.append(EKTField.MessageType.short)
            try chain.md1.md.relay(
                &packet, from: ingress, to: chain.md1ToMD2,
                rewrite: .init(sequenceNumber: chain.nextMD1Sequence(ssrc) &+ 50))
            _ = try chain.md2.md.open(&packet, from: chain.md1ToMD2Ingress)
            bob.expectRefused(try chain.forward(packet, to: 0), expected, store: bobStore)
        }
    }

    @Test("repair packets: hop by hop only, never media; their payload goes through receive again")
    func repairPackets() throws {
        let (chain, sender, bob) = try Self.started()
        let rtx: UInt32 = Self.alice + 1
        // An RTX packet whose payload is a double packet as sent (RFC 8723 §7.1).
        let original = try chain.send(PERCPackets.rich(5, ssrc: Self.alice))
        let repair = DoublePackets.rtp(sequence: 1, ssrc: rtx, payloadType: 97, payload: original)
        var wire = repair
        try sender.protectRepair(&wire)
        #expect(wire.count == repair.count + 16 + 1 && wire.last == EKTField.MessageType.short)
        let relayed = try chain.relayRepair(wire, of: Self.alice, to: 0)
        // As media it is refused: the RTX SSRC has no end-to-end key, and on the media SSRC
        // the inner layer it lacks fails.
        bob.expectRefused(relayed, .noKey(ssrc: rtx), store: chain.receiverEndpoints[0].store)
        // As repair it opens to the RTX packet; its payload is a double packet again, for
        // `receive` (here: the original packet as MD2 would have forwarded it).
        var opened = relayed
        try bob.receiveRepair(&opened)
        #expect(opened == repair)
        let plain = PERCPackets.rich(5, ssrc: Self.alice)
        try bob.expectDelivers(try chain.relay(original)[0], plain)

        var onMedia = DoublePackets.rtp(
            sequence: 6000, ssrc: Self.alice, payload: [UInt8](repeating: 0, count: 40))
        try sender.protectRepair(&onMedia)
        bob.expectRefused(
            try chain.relayRepair(onMedia, of: Self.alice, to: 0),
            .doubleSRTP(.authenticationFailed(.inner)), store: chain.receiverEndpoints[0].store)
    }

    @Test("RTCP is hop by hop only, without an EKT field")
    func rtcp() throws {
        let (chain, sender, bob) = try Self.started()
        let report = RTPPacketBuilder.rtcp(ssrc: Self.alice, body: [UInt8](repeating: 7, count: 20))
        var packet = report
        try sender.protectRTCP(&packet)
        #expect(packet.count == report.count + sender.rtcpOverhead)
        try packet.withUnsafeMutableBytes { buffer in
            var length = try chain.md1.md.unprotectRTCP(
                buffer, length: buffer.count, from: chain.ingresses[Self.alice]!)
            length = try chain.md1.md.protectRTCP(buffer, length: length, to: chain.md1ToMD2)
            length = try chain.md2.md.unprotectRTCP(
                buffer, length: length, from: chain.md1ToMD2Ingress)
            length = try chain.md2.md.protectRTCP(buffer, length: length, to: chain.egresses[0])
            #expect(try bob.unprotectRTCP(buffer, length: length) == report.count)
        }
        #expect(Array(packet[..<report.count]) == report)
    }

    @Test("ending the conference wipes EKT keys, end-to-end keys and contexts; hop keys stay")
    func endConference() throws {
        let (chain, sender, bob) = try Self.started()
        let aliceStore = chain.senders[Self.alice]!.endpoint.store
        let bobStore = chain.receiverEndpoints[0].store
        // EKT key, hop key, end-to-end key (Alice's own; Bob's learned one).
        #expect(aliceStore.liveKeyCount == 3 && bobStore.liveKeyCount == 3)
        let fullLater = try chain.deliver(PERCPackets.rich(50, ssrc: Self.alice))
        chain.conference.clock.advance(.milliseconds(100))
        let periodicFull = try chain.deliver(PERCPackets.rich(51, ssrc: Self.alice))
        #expect(!PERCPackets.isFull(fullLater[0]) && PERCPackets.isFull(periodicFull[0]))

        aliceStore.endConference(PERCConference.scope)
        bobStore.endConference(PERCConference.scope)
        #expect(aliceStore.liveKeyCount == 1 && bobStore.liveKeyCount == 1)
        var next = PERCPackets.rich(52, ssrc: Self.alice)
        #expect(throws: PERCError.ekt(.keyStore(.keyRevoked))) { try sender.protect(&next) }
        #expect(throws: PERCError.ekt(.keyStore(.keyRevoked))) { try sender.protectRepair(&next) }
        var report = RTPPacketBuilder.rtcp(ssrc: Self.alice, body: [1, 2, 3, 4])
        #expect(throws: PERCError.doubleSRTP(.keyRevoked)) { try sender.protectRTCP(&report) }
        // Bob: the learned key's context is wiped (a Full field repeating it changes nothing);
        // a Full field with any other key names an EKT key he no longer has.
        bob.expectRefused(fullLater[0], .doubleSRTP(.keyRevoked), store: bobStore)
        bob.expectRefused(periodicFull[0], .doubleSRTP(.keyRevoked), store: bobStore)
        try chain.addSender(ssrc: 0xDA7E_0000)
        let dave = try chain.deliver(PERCPackets.rich(1, ssrc: 0xDA7E_0000))
        bob.expectRefused(dave[0], .ekt(.unknownSPI(1)), store: bobStore)
        // His hop key is his own: RTCP from the distributor still opens.
        var fromMD = RTPPacketBuilder.rtcp(ssrc: 0x4D44_0000, body: [9, 9, 9, 9])
        let plainReport = fromMD
        fromMD.append(contentsOf: [UInt8](repeating: 0, count: 20))
        try fromMD.withUnsafeMutableBytes { buffer in
            let length = try chain.md2.md.protectRTCP(
                buffer, length: plainReport.count, to: chain.egresses[0])
            #expect(try bob.unprotectRTCP(buffer, length: length) == plainReport.count)
        }
    }

    @Test("releasing the endpoints wipes their end-to-end keys")
    func releaseWipes() throws {
        let conference = PERCConference(Self.profile)
        let endpoint = try PERCConference.Endpoint(conference, spis: [1])
        let hop = conference.hop()
        var sender: PERCSender? = try endpoint.sender(hop)
        var receiver: PERCReceiver? = try endpoint.receiver(hop)
        var packet = PERCPackets.rich(1, ssrc: Self.alice)
        try sender!.protect(&packet)
        try receiver!.receive(&packet)
        // EKT key, two hop key handles, Alice's key and the one the receiver learned.
        #expect(endpoint.store.liveKeyCount == 5)
        sender = nil
        receiver = nil
        #expect(endpoint.store.liveKeyCount == 3)
    }

    @Test("a failed protect changes nothing, and a revoked EKT key stops the sender")
    func senderFailures() throws {
        let conference = PERCConference(Self.profile)
        let alice = try PERCConference.Endpoint(conference, spis: [1])
        let sender = try alice.sender(conference.hop())
        var first = PERCPackets.rich(1, ssrc: Self.alice)
        try sender.protect(&first)
        #expect(PERCPackets.isFull(first))
        // The same SEQ again would reuse the inner and outer nonces: refused, nothing counted.
        var again = PERCPackets.rich(1, ssrc: Self.alice)
        #expect(throws: PERCError.doubleSRTP(.replayed(.inner))) { try sender.protect(&again) }
        #expect(again == PERCPackets.rich(1, ssrc: Self.alice))
        // Too little room: refused before anything happens.
        let plain = PERCPackets.rich(2, ssrc: Self.alice)
        var small = plain + [UInt8](repeating: 0, count: sender.overhead - 1)
        try small.withUnsafeMutableBytes { buffer in
            #expect(
                throws: PERCError.doubleSRTP(.bufferTooSmall(needed: plain.count + sender.overhead))
            ) {
                try sender.protect(buffer, length: plain.count)
            }
        }
        #expect(Array(small[..<plain.count]) == plain)
        // The burst of 3 Full fields is still owed in full: packets 2 and 3 carry them.
        for sequence: UInt16 in 2...4 {
            var packet = PERCPackets.rich(sequence, ssrc: Self.alice)
            try sender.protect(&packet)
            #expect(PERCPackets.isFull(packet) == (sequence < 4))
        }
        alice.store.revoke(alice.ektKeys[1]!)
        var late = PERCPackets.rich(5, ssrc: Self.alice)
        #expect(throws: PERCError.ekt(.keyStore(.keyRevoked))) { try sender.protect(&late) }
    }

    @Test("creation: wrong kinds of key, invalid settings")
    func creation() throws {
        let conference = PERCConference(Self.profile)
        let alice = try PERCConference.Endpoint(conference, spis: [1])
        let hop = try alice.hopKey(conference.hop())
        let srtpKey = try alice.store.generateSRTPMasterKey(for: .aeadAES128GCM)
        #expect(
            throws: PERCError.ekt(
                .keyStore(.keyUsageNotPermitted(expected: .ekt, actual: .srtpMaster)))
        ) {
            try PERCSender(profile: Self.profile, ektKey: srtpKey, hopKey: hop, store: alice.store)
        }
        #expect(throws: PERCError.ekt(.invalidArgument("EKT Full field burst must be at least 1")))
        {
            try PERCSender(
                profile: Self.profile, ektKey: alice.ektKeys[1]!, hopKey: hop, store: alice.store,
                configuration: .init(schedule: .init(burst: 0)))
        }
        #expect(
            throws: PERCError.doubleSRTP(.invalidArgument("replay window 32 outside 64...32768"))
        ) {
            try PERCReceiver(
                profile: Self.profile, hopKey: hop, store: alice.store, scope: PERCConference.scope,
                configuration: .init(replayWindow: 32))
        }
        #expect(throws: PERCError.ekt(.invalidArgument("rekey overlap must not be negative"))) {
            try PERCReceiver(
                profile: Self.profile, hopKey: hop, store: alice.store, scope: PERCConference.scope,
                configuration: .init(rekeyOverlap: .seconds(-1)))
        }
        alice.store.revoke(hop)
        #expect(throws: PERCError.keyStore(.keyRevoked)) {
            try PERCReceiver(
                profile: Self.profile, hopKey: hop, store: alice.store, scope: PERCConference.scope)
        }
        // A sender whose hop key is refused leaves no end-to-end key behind.
        let live = alice.store.liveKeyCount
        #expect(throws: PERCError.keyStore(.keyRevoked)) {
            try PERCSender(
                profile: Self.profile, ektKey: alice.ektKeys[1]!, hopKey: hop, store: alice.store)
        }
        #expect(alice.store.liveKeyCount == live)
    }

    @Test("descriptions name no key bytes")
    func redacted() throws {
        let (chain, sender, bob) = try Self.started()
        let secrets = [PERCConference.ektKeyBytes(spi: 1), chain.receiverHops[0].key]
        for text in ["\(sender)", "\(bob)", String(reflecting: sender), String(reflecting: bob)] {
            for secret in secrets {
                let hex = secret.map { String($0, radix: 16) }.joined()
                #expect(
                    !text.contains(hex)
                        && !text.contains("\(secret[0]), \(secret[1]), \(secret[2])"))
            }
            #expect(text.contains("redacted"))
        }
    }
}
