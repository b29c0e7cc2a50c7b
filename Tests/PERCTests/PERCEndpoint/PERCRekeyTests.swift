import Testing

@testable import PERC

/// Rekeys, late joiners and departures in a PERC conference (RFC 8871 §4.5.2, §6.3; RFC 8870
/// §4.5, §4.6), across the two-distributor chain.
@Suite("PERC endpoints: rekey, late joiner, removed participant")
struct PERCRekeyTests {
    static let alice: UInt32 = 0xA11C_E000
    static let dave: UInt32 = 0xDA7E_0000

    @Test(
        "a new EKT key: senders move at their own moment, receivers hear both during the overlap",
        arguments: DoubleSRTPProfile.allCases)
    func rekeyWithOverlap(_ profile: DoubleSRTPProfile) throws {
        let chain = try PERCChain(profile)
        let alice = try chain.addSender(ssrc: Self.alice)
        let dave = try chain.addSender(ssrc: Self.dave)
        try chain.addReceiver()
        try chain.addReceiver()
        var sequence: [UInt32: UInt16] = [Self.alice: 10, Self.dave: 500]
        func exchange(_ ssrc: UInt32, spi: UInt16, epoch: UInt16) throws {
            sequence[ssrc]! += 1
            let plain = PERCPackets.rich(sequence[ssrc]!, ssrc: ssrc)
            for (receiver, packet) in zip(chain.receivers, try chain.deliver(plain)) {
                let received = try receiver.expectDelivers(packet, plain)
                #expect(received.spi == spi && received.epoch == epoch)
            }
        }
        for _ in 0..<4 {
            try exchange(Self.alice, spi: 1, epoch: 0)
            try exchange(Self.dave, spi: 1, epoch: 0)
        }

        // The Key Distributor hands every endpoint the EKT key of SPI 2.
        for (_, endpoint) in chain.senders.values.map({ ($0.sender, $0.endpoint) }) {
            try endpoint.addEKTKey(spi: 2)
        }
        for (receiver, endpoint) in zip(chain.receivers, chain.receiverEndpoints) {
            try receiver.ektKeyAdded(try endpoint.addEKTKey(spi: 2))
        }
        let aliceKeys = chain.senders[Self.alice]!.endpoint
        let aliceLive = aliceKeys.store.liveKeyCount
        try alice.rekey(ektKey: aliceKeys.ektKeys[2]!)
        #expect(alice.spi == 2 && alice.epoch == 0)
        // The old end-to-end key is gone, the new one took its place.
        #expect(aliceKeys.store.liveKeyCount == aliceLive)
        for _ in 0..<4 {
            try exchange(Self.alice, spi: 2, epoch: 0)
            try exchange(Self.dave, spi: 1, epoch: 0)  // still on the old EKT key
        }
        // An endpoint MAY change its end-to-end key at any time (RFC 8871 §4.5.2).
        try alice.rotateEndToEndKey()
        try exchange(Self.alice, spi: 2, epoch: 1)

        // The overlap ends: SPI 1 is retired at the receivers, and Dave's key with it. His next
        // packet carries a periodic Full field (the 100 ms passed), the one after a Short one.
        chain.conference.clock.advance(.milliseconds(2001))
        for expected in [PERCError.ekt(.unknownSPI(1)), .noKey(ssrc: Self.dave)] {
            sequence[Self.dave]! += 1
            let late = try chain.deliver(PERCPackets.rich(sequence[Self.dave]!, ssrc: Self.dave))
            for (index, receiver) in chain.receivers.enumerated() {
                let store = chain.receiverEndpoints[index].store
                receiver.expectRefused(late[index], expected, store: store)
                #expect(store.ektKey(spi: 1, scope: PERCConference.scope) == nil)
                #expect(receiver.stream(ssrc: Self.dave) == nil)
            }
        }
        try dave.rekey(ektKey: chain.senders[Self.dave]!.endpoint.ektKeys[2]!)
        try exchange(Self.dave, spi: 2, epoch: 0)
        try exchange(Self.alice, spi: 2, epoch: 1)
    }

    @Test(
        "a receiver joining at inner ROC 1 learns it from the next periodic Full field",
        arguments: DoubleSRTPProfile.allCases)
    func lateJoiner(_ profile: DoubleSRTPProfile) throws {
        let chain = try PERCChain(profile)
        let alice = try chain.addSender(
            ssrc: Self.alice, schedule: .init(burst: 3, interval: .milliseconds(100)))
        try chain.addReceiver()
        var sequence: UInt16 = 65000
        for _ in 0..<5 {
            sequence &+= 200
            let plain = PERCPackets.rich(sequence, ssrc: Self.alice)
            try chain.receivers[0].expectDelivers(try chain.deliver(plain)[0], plain)
        }
        #expect(alice.rolloverCounter(ssrc: Self.alice) == 1)

        let carol = try chain.addReceiver()
        sequence &+= 1
        let missed = try chain.deliver(PERCPackets.rich(sequence, ssrc: Self.alice))
        #expect(!PERCPackets.isFull(missed[carol]))
        chain.receivers[carol].expectRefused(
            missed[carol], .noKey(ssrc: Self.alice), store: chain.receiverEndpoints[carol].store)
        var first = missed[0]
        try chain.receivers[0].receive(&first)

        chain.conference.clock.advance(.milliseconds(100))
        sequence &+= 1
        let plain = PERCPackets.rich(sequence, ssrc: Self.alice)
        let packets = try chain.deliver(plain)
        #expect(PERCPackets.isFull(packets[carol]))
        for (receiver, packet) in zip(chain.receivers, packets) {
            try receiver.expectDelivers(packet, plain)
            #expect(receiver.stream(ssrc: Self.alice)?.rolloverCounter == 1)
        }
        // Carol's hop is new: its outer ROC is its own.
        #expect(try chain.md2.md.rolloverCounter(ssrc: Self.alice, on: chain.egresses[carol]) == 0)
    }

    @Test(
        "a participant left out of a rekey decodes before it and cannot after",
        arguments: DoubleSRTPProfile.allCases)
    func removedParticipant(_ profile: DoubleSRTPProfile) throws {
        let chain = try PERCChain(profile)
        let alice = try chain.addSender(ssrc: Self.alice)
        let bob = try chain.addReceiver()
        let carol = try chain.addReceiver()
        var sequence: UInt16 = 1
        for _ in 0..<5 {
            sequence += 1
            let plain = PERCPackets.rich(sequence, ssrc: Self.alice)
            for (receiver, packet) in zip(chain.receivers, try chain.deliver(plain)) {
                try receiver.expectDelivers(packet, plain)
            }
        }
        // Carol leaves: the Key Distributor gives SPI 2 to everyone else (RFC 8871 §6.3).
        let aliceEndpoint = chain.senders[Self.alice]!.endpoint
        try alice.rekey(ektKey: try aliceEndpoint.addEKTKey(spi: 2))
        try chain.receivers[bob].ektKeyAdded(try chain.receiverEndpoints[bob].addEKTKey(spi: 2))
        let carolStore = chain.receiverEndpoints[carol].store
        for i in 0..<5 {
            sequence += 1
            let plain = PERCPackets.rich(sequence, ssrc: Self.alice)
            let packets = try chain.deliver(plain)
            #expect(try chain.receivers[bob].expectDelivers(packets[bob], plain).spi == 2)
            // Full fields under SPI 2 mean nothing to Carol; her old key fails the inner layer.
            let expected: PERCError =
                i < 3 ? .ekt(.unknownSPI(2)) : .doubleSRTP(.authenticationFailed(.inner))
            chain.receivers[carol].expectRefused(packets[carol], expected, store: carolStore)
        }
    }

    @Test("a key announced before it is used is held, then takes over with its first packet")
    func announcedEarly() throws {
        let chain = try PERCChain(.doubleAEADAES128GCM)
        let alice = try chain.addSender(ssrc: Self.alice)
        try chain.addReceiver()
        let bob = chain.receivers[0]
        for sequence: UInt16 in 1...4 {
            let plain = PERCPackets.rich(sequence, ssrc: Self.alice)
            try bob.expectDelivers(try chain.deliver(plain)[0], plain)
        }
        let held = try chain.toMD2(try chain.send(PERCPackets.rich(5, ssrc: Self.alice)))
        try alice.rotateEndToEndKey()
        let plain = PERCPackets.rich(6, ssrc: Self.alice)
        let next = try chain.toMD2(try chain.send(plain))
        let full = Array(next.suffix(try PERCPackets.ektLength(next)))
        // Packet 5 (old key) carries packet 6's Full field, as from a sender that announces its
        // next key 250 ms early (RFC 8870 §4.6): the new key fails it, the old one takes it.
        let early = try chain.forward(Array(held.dropLast()) + full, to: 0)
        #expect(try bob.expectDelivers(early, PERCPackets.rich(5, ssrc: Self.alice)).epoch == 0)
        #expect(bob.stream(ssrc: Self.alice)?.hasAnnouncedKey == true)
        // Packet 6 with a Short field: the old key fails it, the held one takes over.
        let short = try chain.forward(Array(next.dropLast(full.count)) + [0], to: 0)
        #expect(try bob.expectDelivers(short, plain).epoch == 1)
        let stream = bob.stream(ssrc: Self.alice)
        #expect(stream?.epoch == 1 && stream?.hasAnnouncedKey == false)
    }

    @Test("rekey refuses the current SPI and an EKT key of another conference")
    func rekeyArguments() throws {
        let conference = PERCConference(.doubleAEADAES128GCM)
        let alice = try PERCConference.Endpoint(conference, spis: [1])
        let sender = try alice.sender(conference.hop())
        let other = try alice.addEKTKey(spi: 2, scope: KeyScope("other conference"))
        #expect(throws: PERCError.ekt(.duplicateSPI(1))) {
            try sender.rekey(ektKey: alice.ektKeys[1]!)
        }
        #expect(
            throws: PERCError.ekt(
                .invalidArgument("EKT key of scope other conference, sender of perc-conference"))
        ) { try sender.rekey(ektKey: other) }
        #expect(sender.spi == 1 && sender.epoch == 0)
        let hop = try alice.hopKey(conference.hop())
        #expect(
            throws: PERCError.ekt(
                .keyStore(.keyUsageNotPermitted(expected: .ekt, actual: .srtpHopByHop)))
        ) {
            try sender.rekey(ektKey: hop.key)
        }
    }
}
