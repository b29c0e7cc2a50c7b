import Testing

@_spi(Conformance) import PERC
@testable import PERCBench

/// The library's double SRTP rows do the floor's cryptography: keyed alike (the floor's session
/// keys derived from the library's master keys), they produce the same bytes.
@Suite struct DoubleSRTPRowTests {
    static let packets: [BenchPacket] = [
        .synthetic(payloadLength: 160), .synthetic(payloadLength: 1200), .rfc3711Style,
    ]

    /// The floor context of the library key with `seed`.
    static func floor(seed: UInt8, sealing: Bool) throws -> EVPBaseline {
        let keys = BenchKeys(profile: .aeadAES128GCM, seed: seed)
        return try DoubleSRTPFloorTests.context(
            try DoubleSRTPFloorTests.sessionKeys(key: keys.masterKey, salt: keys.masterSalt),
            sealing: sealing)
    }

    @Test(arguments: packets.indices)
    func protectMatchesTheFloor(_ packetIndex: Int) throws {
        let packet = Self.packets[packetIndex]
        let setup = try DoubleSRTPSetup(ssrc: packet.ssrc)
        let library = try BenchProtect(DoubleSRTPProtect(sender: setup.sender), packet)
        let floor = try BenchProtect(
            EVPDoubleProtect(
                inner: Self.floor(seed: DoubleSRTPSetup.endToEndSeed, sealing: true),
                outer: Self.floor(seed: DoubleSRTPSetup.ingressSeed, sealing: true),
                headerLength: packet.headerLength, ssrc: packet.ssrc), packet)
        for index in [UInt64(0), 1, 2] {
            #expect(try library.protect(index: index) == floor.protect(index: index))
        }
    }

    @Test(arguments: packets.indices)
    func receiveAndRelayMatchTheFloor(_ packetIndex: Int) throws {
        let packet = Self.packets[packetIndex]
        let setup = try DoubleSRTPSetup(ssrc: packet.ssrc)
        let send = try BenchProtect(DoubleSRTPProtect(sender: setup.sender), packet)
        let receive = DoubleSRTPReceive(receiver: setup.receiver)
        let floorReceive = EVPDoubleUnprotect(
            inner: try Self.floor(seed: DoubleSRTPSetup.endToEndSeed, sealing: false),
            outer: try Self.floor(seed: DoubleSRTPSetup.ingressSeed, sealing: false),
            headerLength: packet.headerLength, ssrc: packet.ssrc)
        let relay = DistributorRelay(
            distributor: setup.distributor, ingress: setup.ingress, egress: setup.egress)
        let floorRelay = EVPRelay(
            inbound: try Self.floor(seed: DoubleSRTPSetup.ingressSeed, sealing: false),
            outbound: try Self.floor(seed: DoubleSRTPSetup.egressSeed, sealing: true),
            headerLength: packet.headerLength, ssrc: packet.ssrc)
        let ring = PacketRing(count: 1, capacity: 2048)
        for index in [UInt64(0), 1, 2] {
            let sent = try send.protect(index: index)
            let plain = Array(ring.slot(0)[..<packet.write(into: ring.slot(0), index: index)])
            let received = try DoubleSRTPFloorTests.run(receive, sent, index: index)
            #expect(received == plain)
            #expect(try DoubleSRTPFloorTests.run(floorReceive, sent, index: index) == received)
            let relayed = try DoubleSRTPFloorTests.run(relay, sent, index: index)
            #expect(relayed.count == sent.count + 2)  // the OHB records the original SEQ
            #expect(try DoubleSRTPFloorTests.run(floorRelay, sent, index: index) == relayed)
        }
    }

    /// 70 batches of 1000: SEQ wraps (inner and outer ROC 0 → 1, and the relay's renumbered SEQ
    /// with it) and every packet is still accepted once.
    @Test(arguments: [BenchDirection.unprotect, .relay])
    func batchesStayFreshAcrossTheSequenceWrap(_ direction: BenchDirection) throws {
        let benchCase = try #require(
            BenchCatalog.doubleSRTPCases().first {
                $0.implementation == .openSSLEngine
                    && $0.group == "\(BenchCatalog.doubleProfileName) \(direction) 160 B"
            })
        let workload = try benchCase.makeWorkload(batchSize: 1000)
        for _ in 0..<70 {
            try workload.prepareBatch()
            try workload.runBatch()
        }
    }
}
