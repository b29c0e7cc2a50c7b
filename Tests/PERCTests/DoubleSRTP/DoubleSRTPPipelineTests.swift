import Testing

@testable import PERC

/// End to end through distributors (RFC 8723 §5.1–§5.3, §6, §7): a sender, a chain of two Media
/// Distributors that drop and renumber packets and change PT and M, and receivers.
@Suite("Double SRTP: sender → distributors → receivers")
struct DoubleSRTPPipelineTests {
    /// The header a receiver hands the application (RFC 8723 §5.3): the sender's header with the
    /// outer PT and SEQ and the sender's marker.
    func expectedHeader(of plain: [UInt8], payloadType: UInt8, sequence: UInt16) -> [UInt8] {
        var header = Array(plain[..<DoublePackets.headerLength(plain)])
        header[1] = (plain[1] & 0x80) | payloadType
        header[2] = UInt8(sequence >> 8)
        header[3] = UInt8(truncatingIfNeeded: sequence)
        return header
    }

    @Test(
        "two distributors in a chain: dropped packets, contiguous SEQ, PT and M rewritten, ROC wraps",
        arguments: DoubleSRTPProfile.allCases)
    func chain(profile: DoubleSRTPProfile) throws {
        let conference = DoubleConference(profile)
        let alice = try conference.endpoint()
        let ssrc: UInt32 = 0xA11C_E000
        // Alice → MD1 → MD2 → Bob (renumbered again, PT set back) and Carol (forwarded as is).
        let md1 = try conference.distributor()
        let fromAlice = try md1.addIngress(hopKey: alice.hop, in: conference.store)
        let link = try conference.hopKey()
        let toMD2 = try md1.addEgress(hopKey: link, in: conference.store)
        let md2 = try conference.distributor()
        let fromMD1 = try md2.addIngress(hopKey: link, in: conference.store)
        let bobHop = try conference.hopKey()
        let carolHop = try conference.hopKey()
        let toBob = try md2.addEgress(hopKey: bobHop, in: conference.store)
        let toCarol = try md2.addEgress(hopKey: carolHop, in: conference.store)
        let bob = try conference.receiver(hop: bobHop, senders: [ssrc: alice.endToEnd])
        let carol = try conference.receiver(hop: carolHop, senders: [ssrc: alice.endToEnd])

        var rng = SeededGenerator(seed: UInt64(profile.protectionProfileID))
        // Start near the SEQ wrap so the sender's ROC and both renumberings wrap.
        let first: UInt16 = 0xFFC0
        var md1Sequence: UInt16 = 0xFFE0
        var md2Sequence: UInt16 = 0xFFF0
        for i in 0..<150 {
            let plain = DoublePackets.random(
                sequence: first &+ UInt16(i), ssrc: ssrc, using: &rng)
            var packet = plain
            try alice.sender.protect(&packet)
            #expect(packet.count == plain.count + DoubleSRTPProfile.senderOverhead)
            // MD1 drops every third packet (a layer switch) and renumbers the rest contiguously.
            if i % 3 == 2 { continue }
            let marker = i % 5 == 0
            try md1.relay(
                &packet, from: fromAlice, to: toMD2,
                rewrite: .init(payloadType: 111, sequenceNumber: md1Sequence, marker: marker))
            // MD2 opens once and fans out.
            var opened = packet
            let info = try md2.open(&opened, from: fromMD1)
            #expect(info.originalPayloadType == DoublePackets.payloadType(plain))
            #expect(info.originalSequenceNumber == DoublePackets.sequence(plain))
            #expect(info.originalMarker == DoublePackets.marker(plain))
            #expect(info.sequenceNumber == md1Sequence && info.payloadType == 111)

            var bobPacket = opened
            try md2.forward(
                &bobPacket, to: toBob,
                rewrite: .init(
                    payloadType: DoublePackets.payloadType(plain), sequenceNumber: md2Sequence))
            var carolPacket = opened
            try md2.forward(&carolPacket, to: toCarol)
            // The OHB holds exactly the fields that differ from the sender's on each hop: to
            // Bob, PT is the sender's again (its entry removed) and SEQ may fall back on it.
            func ohbLength(payloadType: UInt8, sequence: UInt16) -> Int {
                1 + (payloadType != DoublePackets.payloadType(plain) ? 1 : 0)
                    + (sequence != DoublePackets.sequence(plain) ? 2 : 0)
            }
            #expect(
                carolPacket.count
                    == plain.count + 32 + ohbLength(payloadType: 111, sequence: md1Sequence))
            #expect(
                bobPacket.count
                    == plain.count + 32
                    + ohbLength(
                        payloadType: DoublePackets.payloadType(plain), sequence: md2Sequence))

            let atBob = try bob.receive(&bobPacket)
            #expect(atBob.outerSequenceNumber == md2Sequence)
            #expect(atBob.outerPayloadType == DoublePackets.payloadType(plain))
            #expect(atBob.originalSequenceNumber == DoublePackets.sequence(plain))
            #expect(atBob.originalMarker == DoublePackets.marker(plain))
            #expect(
                Array(bobPacket[..<atBob.headerLength])
                    == expectedHeader(
                        of: plain, payloadType: DoublePackets.payloadType(plain),
                        sequence: md2Sequence))
            #expect(
                Array(bobPacket[atBob.payloadRange])
                    == Array(plain[DoublePackets.headerLength(plain)...]))

            let atCarol = try carol.receive(&carolPacket)
            #expect(atCarol.outerPayloadType == 111 && atCarol.outerSequenceNumber == md1Sequence)
            #expect(atCarol.originalPayloadType == DoublePackets.payloadType(plain))
            #expect(
                Array(carolPacket[..<atCarol.headerLength])
                    == expectedHeader(of: plain, payloadType: 111, sequence: md1Sequence))
            #expect(
                Array(carolPacket[atCarol.payloadRange])
                    == Array(plain[DoublePackets.headerLength(plain)...]))
            md1Sequence &+= 1
            md2Sequence &+= 1
        }
        // Every layer wrapped its SEQ once, each at its own point.
        #expect(try alice.sender.rolloverCounter(ssrc: ssrc) == 1)
        #expect(try md1.rolloverCounter(ssrc: ssrc, on: fromAlice) == 1)
        #expect(try md1.rolloverCounter(ssrc: ssrc, on: toMD2) == 1)
        #expect(try md2.rolloverCounter(ssrc: ssrc, on: toBob) == 1)
        #expect(try bob.rolloverCounter(ssrc: ssrc, layer: .inner) == 1)
        #expect(try bob.rolloverCounter(ssrc: ssrc, layer: .outer) == 1)
        #expect(try carol.rolloverCounter(ssrc: ssrc, layer: .outer) == 1)
    }

    @Test("a distributor may change header extensions without recording them")
    func headerExtensionChange() throws {
        let conference = DoubleConference(.doubleAEADAES128GCM)
        let alice = try conference.endpoint()
        let md = try conference.distributor()
        let ingress = try md.addIngress(hopKey: alice.hop, in: conference.store)
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let bob = try conference.receiver(hop: bobHop, senders: [7: alice.endToEnd])

        let plain = DoublePackets.rtp(
            sequence: 1, ssrc: 7, csrcs: [0x0101_0101], extensionWords: [0x1011_2233],
            payload: Array("media".utf8), padding: 3)
        var packet = plain
        try alice.sender.protect(&packet)
        _ = try md.open(&packet, from: ingress)
        // A new audio level value in the one-byte extension element (RFC 8285).
        packet[21] = 0x44
        try md.forward(&packet, to: egress)
        let received = try bob.receive(&packet)
        var expected = plain
        expected[21] = 0x44
        #expect(packet == expected)
        #expect(received.length == plain.count)
    }

    @Test(
        "repair packets (RTX) travel with the outer layer only",
        arguments: DoubleSRTPProfile.allCases)
    func repairMode(profile: DoubleSRTPProfile) throws {
        let conference = DoubleConference(profile)
        let alice = try conference.endpoint()
        let md = try conference.distributor(ektInUse: true)
        let ingress = try md.addIngress(hopKey: alice.hop, in: conference.store)
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let bob = try conference.receiver(hop: bobHop, senders: [:])

        // An RTX packet (RFC 4588): its own SSRC; the payload is OSN ‖ a cached double packet.
        let rtx = DoublePackets.rtp(
            sequence: 0x0100, ssrc: 0xBEEF, payloadType: 97, payload: [0x12, 0x34] + Array(0..<60))
        var packet = rtx
        try alice.sender.protectRepair(&packet)
        #expect(packet.count == rtx.count + 16)
        packet.append(0x00)  // ShortEKTField
        let length = try packet.withUnsafeMutableBytes {
            try md.relayRepair(
                $0, length: $0.count, from: ingress, to: egress,
                rewrite: .init(sequenceNumber: 0x0007))
        }
        #expect(length == packet.count && packet.last == 0x00)
        packet.removeLast()
        try bob.receiveRepair(&packet)
        var expected = rtx
        expected[2] = 0x00
        expected[3] = 0x07
        #expect(packet == expected)
    }

    @Test(
        "RTCP is hop by hop only: sender → distributor → receiver",
        arguments: DoubleSRTPProfile.allCases)
    func rtcp(profile: DoubleSRTPProfile) throws {
        let conference = DoubleConference(profile)
        let alice = try conference.endpoint()
        let md = try conference.distributor()
        let ingress = try md.addIngress(hopKey: alice.hop, in: conference.store)
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let bob = try conference.receiver(hop: bobHop, senders: [:])

        let report = RTPPacketBuilder.rtcp(ssrc: 0xA11C_E000, body: Array(0..<24))
        var packet = report
        try alice.sender.protectRTCP(&packet)
        #expect(packet.count == report.count + alice.sender.rtcpOverhead)
        packet += [UInt8](repeating: 0, count: 20)
        let length = try packet.withUnsafeMutableBytes { buffer in
            let clear = try md.unprotectRTCP(
                buffer, length: report.count + alice.sender.rtcpOverhead, from: ingress)
            #expect(Array(buffer[..<clear]) == report)
            return try md.protectRTCP(buffer, length: clear, to: egress)
        }
        packet.removeLast(packet.count - length)
        try bob.unprotectRTCP(&packet)
        #expect(packet == report)
        // Not accepted twice.
        var replay = packet
        try alice.sender.protectRTCP(&replay)
        #expect(throws: DoubleSRTPError.authenticationFailed(.outer)) {
            try bob.unprotectRTCP(&replay)  // sealed with Alice's hop key, not Bob's
        }
    }

    @Test("many SSRCs through one distributor, each with its own key and state")
    func severalSenders() throws {
        let conference = DoubleConference(.doubleAEADAES256GCM)
        let senders = try (0..<4).map { _ in try conference.endpoint() }
        let md = try conference.distributor()
        let ingresses = try senders.map { try md.addIngress(hopKey: $0.hop, in: conference.store) }
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let bob = try conference.receiver(
            hop: bobHop,
            senders: Dictionary(
                uniqueKeysWithValues: senders.indices.map {
                    (UInt32(100 + $0), senders[$0].endToEnd)
                }))
        var rng = SeededGenerator(seed: 42)
        for round in 0..<20 {
            for (i, endpoint) in senders.enumerated() {
                let plain = DoublePackets.random(
                    sequence: UInt16(round * 7 + i), ssrc: UInt32(100 + i), using: &rng)
                var packet = plain
                try endpoint.sender.protect(&packet)
                try md.relay(&packet, from: ingresses[i], to: egress)
                let received = try bob.receive(&packet)
                #expect(packet == plain && received.length == plain.count)
            }
        }
    }
}

/// The README's example, as written there.
@Suite("Double SRTP README example")
struct DoubleSRTPReadmeExampleTests {
    @Test("runs as documented")
    func example() throws {
        let rtp = DoublePackets.rtp(sequence: 7, ssrc: 0xCAFE_BABE, payload: Array("hello".utf8))

        let store = KeyStore()
        let profile = DoubleSRTPProfile.doubleAEADAES128GCM
        let aliceE2E = try store.generateEndToEndKey(for: profile)
        let aliceHop = try store.generateHopKey(for: profile)  // Alice → MD
        let bobHop = try store.generateHopKey(for: profile)  // MD → Bob

        let alice = try DoubleSRTPSender(
            profile: profile, endToEndKey: aliceE2E, hopKey: aliceHop, in: store)
        let md = try MediaDistributor(profile: profile, ektInUse: true)
        let fromAlice = try md.addIngress(hopKey: aliceHop, in: store)
        let toBob = try md.addEgress(hopKey: bobHop, in: store)
        let bob = try DoubleSRTPReceiver(profile: profile, hopKey: bobHop, in: store)
        try bob.setEndToEndKey(aliceE2E, in: store, ssrc: 0xCAFE_BABE)

        var packet = rtp
        try alice.protect(&packet)
        #expect(packet.count == rtp.count + 33)
        packet.append(0x00)
        try md.relay(
            &packet, from: fromAlice, to: toBob,
            rewrite: .init(payloadType: 100, sequenceNumber: 42))
        #expect(packet.count == rtp.count + 33 + 3 + 1)
        packet.removeLast()
        let received = try bob.receive(&packet)
        #expect(received.originalPayloadType == 96 && received.originalSequenceNumber == 7)
        #expect(received.outerPayloadType == 100 && received.outerSequenceNumber == 42)
        #expect(Array(packet[received.payloadRange]) == Array("hello".utf8))
    }
}

/// Endpoints and distributor legs shared between threads.
@Suite("Double SRTP concurrency")
struct DoubleSRTPConcurrencyTests {
    @Test("ingress legs in parallel into one egress; one receiver used from many threads")
    func parallelLegs() async throws {
        let conference = DoubleConference(.doubleAEADAES128GCM)
        let senders = try (0..<4).map { _ in try conference.endpoint() }
        let md = try conference.distributor()
        let ingresses = try senders.map { try md.addIngress(hopKey: $0.hop, in: conference.store) }
        let bobHop = try conference.hopKey()
        let egress = try md.addEgress(hopKey: bobHop, in: conference.store)
        let keys = Dictionary(
            uniqueKeysWithValues: senders.indices.map { (UInt32(100 + $0), senders[$0].endToEnd) })
        let bob = try conference.receiver(hop: bobHop, senders: keys)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for i in senders.indices {
                group.addTask {
                    var delivered = 0
                    for sequence in 0..<300 {
                        let plain = DoublePackets.rtp(
                            sequence: UInt16(sequence), ssrc: UInt32(100 + i),
                            payload: [UInt8](repeating: UInt8(i), count: 100))
                        var packet = plain
                        try senders[i].sender.protect(&packet)
                        try md.relay(&packet, from: ingresses[i], to: egress)
                        try bob.receive(&packet)
                        if packet == plain { delivered += 1 }
                    }
                    return delivered
                }
            }
            var total = 0
            for try await delivered in group { total += delivered }
            #expect(total == 4 * 300)
        }
    }
}
