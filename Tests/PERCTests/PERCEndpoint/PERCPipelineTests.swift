import Testing

@testable import PERC

/// PERC endpoints end to end (RFC 8871): a sender, a chain of two Media Distributors and two
/// receivers that learn the sender's end-to-end key from EKT only.
@Suite("PERC endpoints: sender → MD → MD → receivers")
struct PERCPipelineTests {
    static let alice: UInt32 = 0xA11C_E000

    @Test(
        "EKT delivers the key; MD1 drops, renumbers, re-marks; both ROCs roll over",
        arguments: DoubleSRTPProfile.allCases)
    func chain(_ profile: DoubleSRTPProfile) throws {
        let chain = try PERCChain(profile)
        let sender = try chain.addSender(ssrc: Self.alice)
        try chain.addReceiver()
        try chain.addReceiver()
        let fullLength = profile == .doubleAEADAES128GCM ? 47 : 63
        #expect(sender.overhead == 33 + fullLength)

        var forwarded = 0
        for i in 0..<40 {
            // Original SEQ steps by 3 from 65520: the inner ROC rolls over at the 6th packet.
            let sequence = UInt16(truncatingIfNeeded: 65520 + 3 * i)
            let plain = PERCPackets.rich(sequence, ssrc: Self.alice, marker: i % 5 == 0)
            let wire = try chain.send(plain)
            // Full fields in the first 3 packets (RFC 8870 §4.6), after the outer tag.
            #expect(PERCPackets.isFull(wire) == (i < 3))
            #expect(wire.count == plain.count + 33 + (i < 3 ? fullLength : 1))
            // MD1 drops every 4th packet (one of them a Full one) and renumbers the rest.
            if i % 4 == 1 { continue }
            let payloadType: UInt8? = i % 2 == 0 ? 100 : nil
            let marker: Bool? = i % 3 == 0 ? !DoublePackets.marker(plain) : nil
            let packets = try chain.relay(wire, payloadType: payloadType, marker: marker)
            let ektLength = try PERCPackets.ektLength(wire)
            for (receiver, packet) in zip(chain.receivers, packets) {
                // Both distributors passed the EKT field through unchanged.
                #expect(packet.suffix(ektLength) == wire.suffix(ektLength))
                let received = try receiver.expectDelivers(packet, plain)
                #expect(received.spi == 1 && received.epoch == 0)
                #expect(received.media.outerPayloadType == payloadType ?? 111)
                #expect(
                    received.media.outerSequenceNumber
                        == UInt16(truncatingIfNeeded: 0xFFF0 + forwarded))
            }
            forwarded += 1
        }
        // Inner ROC 1 at the sender and both receivers; MD1's renumbered SEQ wrapped too.
        #expect(sender.rolloverCounter(ssrc: Self.alice) == 1)
        #expect(try chain.md1.md.rolloverCounter(ssrc: Self.alice, on: chain.md1ToMD2) == 1)
        for receiver in chain.receivers {
            #expect(receiver.stream(ssrc: Self.alice)?.rolloverCounter == 1)
        }
        // Each receiver's store: its EKT key, its hop key and the one key it learned.
        for endpoint in chain.receiverEndpoints { #expect(endpoint.store.liveKeyCount == 3) }
    }

    @Test(
        "random packets of two senders, random rewrites and drops",
        arguments: DoubleSRTPProfile.allCases)
    func randomTraffic(_ profile: DoubleSRTPProfile) throws {
        var rng = SeededGenerator(seed: 0xD0_0B1E)
        let chain = try PERCChain(profile)
        let ssrcs: [UInt32] = [Self.alice, 0xB0B0_0001]
        for ssrc in ssrcs { try chain.addSender(ssrc: ssrc) }
        try chain.addReceiver()
        try chain.addReceiver()
        var sequences: [UInt32: UInt16] = [Self.alice: 100, 0xB0B0_0001: 65000]
        for i in 0..<200 {
            let ssrc = ssrcs.randomElement(using: &rng)!
            let step = UInt16.random(in: 1...900, using: &rng)
            sequences[ssrc]! &+= step
            let plain = DoublePackets.random(sequence: sequences[ssrc]!, ssrc: ssrc, using: &rng)
            let wire = try chain.send(plain)
            // The first 3 packets of a stream carry its key; drop others at random.
            if i > 10, Int.random(in: 0..<5, using: &rng) == 0 { continue }
            let packets = try chain.relay(
                wire,
                payloadType: Bool.random(using: &rng)
                    ? UInt8.random(in: 0...127, using: &rng) : nil,
                marker: Bool.random(using: &rng) ? Bool.random(using: &rng) : nil)
            for (receiver, packet) in zip(chain.receivers, packets) {
                try receiver.expectDelivers(packet, plain)
            }
        }
    }

    @Test("the distributors hold hop keys only, and cannot use them for EKT")
    func distributorStoresHoldOnlyHopKeys() throws {
        let chain = try PERCChain(.doubleAEADAES128GCM)
        try chain.addSender(ssrc: Self.alice)
        try chain.addReceiver()
        try chain.addReceiver()
        for plain in [PERCPackets.rich(1, ssrc: Self.alice), PERCPackets.rich(2, ssrc: Self.alice)]
        {
            _ = try chain.deliver(plain)
        }
        // By construction no distributor call takes a KeyHandle; their stores hold what they
        // were given and nothing more: one hop key per leg.
        for (distributor, legs) in [(chain.md1, 2), (chain.md2, 3)] {
            #expect(distributor.store.liveKeyCount == legs)
            #expect(distributor.hopKeys.count == legs)
            for hop in distributor.hopKeys { #expect(hop.key.usage == .srtpHopByHop) }
            #expect(distributor.store.ektKey(spi: 1, scope: PERCConference.scope) == nil)
            #expect(
                throws: EKTError.keyStore(
                    .keyUsageNotPermitted(expected: .ekt, actual: .srtpHopByHop))
            ) {
                try distributor.store.makeFullEKTField(
                    ektKey: distributor.hopKeys[0].key, srtpMasterKey: distributor.hopKeys[1].key,
                    ssrc: Self.alice, roc: 0, epoch: 0)
            }
        }
    }

    @Test("a distributor must pass the EKT field through (ektInUse, the default)")
    func distributorWithoutEKTRefuses() throws {
        let conference = PERCConference(.doubleAEADAES128GCM)
        let alice = try PERCConference.Endpoint(conference, spis: [1])
        let hop = conference.hop()
        let sender = try alice.sender(hop)
        let md = try PERCConference.Distributor(conference.profile, ektInUse: false)
        let ingress = try md.ingress(hop)
        let egress = try md.egress(conference.hop())
        #expect(try PERCConference.Distributor(conference.profile).md.ektInUse)
        var packet = PERCPackets.rich(1, ssrc: Self.alice)
        try sender.protect(&packet)
        let wire = packet
        // Without EKT in use the field is taken for the end of the outer ciphertext.
        #expect(throws: DoubleSRTPError.authenticationFailed(.outer)) {
            try md.md.relay(&packet, from: ingress, to: egress)
        }
        #expect(packet == wire)
    }
}
