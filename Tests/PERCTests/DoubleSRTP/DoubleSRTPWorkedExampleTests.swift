import Testing

@testable import PERC

/// The worked example of spec double-srtp.md §11 (RFC 8723 §5.1–§5.3, 128-bit profile), byte for
/// byte: sender, Media Distributor (with and without the EKT field), receiver.
@Suite("Double SRTP worked example (spec §11)")
struct DoubleSRTPWorkedExampleTests {
    static let profile = DoubleSRTPProfile.doubleAEADAES128GCM
    static let doubleKey = TestBytes.hex(
        "000102030405060708090a0b0c0d0e0f 101112131415161718191a1b1c1d1e1f")
    static let doubleSalt = TestBytes.hex("a0a1a2a3a4a5a6a7a8a9aaab b0b1b2b3b4b5b6b7b8b9babb")
    static let egressKey = TestBytes.hex("404142434445464748494a4b4c4d4e4f")
    static let egressSalt = TestBytes.hex("c0c1c2c3c4c5c6c7c8c9cacb")
    static let plain = TestBytes.hex(
        "90e01234 decafbad cafebabe bede0001 107f0000 50455243 20746573 7421")
    static let protected = TestBytes.hex(
        """
        90e01234 decafbad cafebabe bede0001 107f0000 69c8ade2 b1766b30
        78d78e81 dbb9cb49 2f6509c9 dd3c9da9 a6a9efab 2721f4d7 e69a7502
        f2cc7fa8 430d18
        """)
    static let relayed = TestBytes.hex(
        """
        90640042 decafbad cafebabe bede0001 107f0000 42989f93 6b8df2e0 752b6ec7
        76528150 fd500fee e009a3c7 13439679 9c337657 d0d1463e 505bd3b5 7761f1a3 4319
        """)
    static let fullEKTField = TestBytes.hex(
        """
        acb8fc4a 7a41ca0d a3456600 e11d1a9e 1321d79d 80931a33 ccd065a7
        406a0c29 251e7dfe 69bf49cc 0001 0000 002f 02
        """)
    static let rewrite = MediaDistributor.HeaderRewrite(
        payloadType: 100, sequenceNumber: 0x0042, marker: false)

    @Test("sender produces the sender→distributor packet")
    func sender() throws {
        let store = KeyStore()
        let keys = try store.importDoubleMasterKey(
            Self.doubleKey, salt: Self.doubleSalt, for: Self.profile)
        let sender = try DoubleSRTPSender(
            profile: Self.profile, endToEndKey: keys.endToEnd, hopKey: keys.hopByHop, in: store)
        var packet = Self.plain
        try sender.protect(&packet)
        #expect(packet == Self.protected)
        #expect(packet.count == Self.plain.count + sender.overhead)
        #expect(try sender.rolloverCounter(ssrc: 0xCAFE_BABE) == 0)
    }

    @Test("a receiver with the same double key recovers the RTP packet")
    func receiverOnFirstHop() throws {
        let store = KeyStore()
        let keys = try store.importDoubleMasterKey(
            Self.doubleKey, salt: Self.doubleSalt, for: Self.profile)
        let receiver = try DoubleSRTPReceiver(
            profile: Self.profile, hopKey: keys.hopByHop, in: store)
        try receiver.setEndToEndKey(keys.endToEnd, in: store, ssrc: 0xCAFE_BABE)
        var packet = Self.protected
        let received = try receiver.receive(&packet)
        #expect(packet == Self.plain)
        #expect(
            received
                == DoubleSRTPReceived(
                    length: 30, headerLength: 20, ssrc: 0xCAFE_BABE, outerPayloadType: 96,
                    outerSequenceNumber: 0x1234, originalPayloadType: 96,
                    originalSequenceNumber: 0x1234, originalMarker: true))
        #expect(Array(packet[received.payloadRange]) == Array("PERC test!".utf8))
    }

    /// A distributor keyed with the sender's hop key (ingress) and the receiver's (egress). The
    /// store stays referenced: it wipes its keys, and the legs keyed from them, when released.
    struct Distributor {
        let store = KeyStore()
        let md: MediaDistributor
        let ingress: MediaDistributor.Ingress
        let egress: MediaDistributor.Egress

        init(ektInUse: Bool) throws {
            md = try MediaDistributor(profile: profile, ektInUse: ektInUse)
            ingress = try md.addIngress(
                hopKey: store.importHopKey(
                    Array(doubleKey[16...]), salt: Array(doubleSalt[12...]), for: profile),
                in: store)
            egress = try md.addEgress(
                hopKey: store.importHopKey(egressKey, salt: egressSalt, for: profile), in: store)
        }
    }

    @Test("the distributor rewrites PT, SEQ and M and records them in the OHB")
    func relay() throws {
        let relay = try Distributor(ektInUse: false)
        var packet = Self.protected
        try relay.md.relay(&packet, from: relay.ingress, to: relay.egress, rewrite: Self.rewrite)
        #expect(packet == Self.relayed)
    }

    @Test("the EKT field after the packet is carried through unchanged")
    func relayWithEKTField() throws {
        let relay = try Distributor(ektInUse: true)
        var packet = Self.protected + Self.fullEKTField
        try relay.md.relay(&packet, from: relay.ingress, to: relay.egress, rewrite: Self.rewrite)
        #expect(packet == Self.relayed + Self.fullEKTField)
        // The ShortEKTField too.
        let second = try Distributor(ektInUse: true)
        var short = Self.protected + [0x00]
        try second.md.relay(
            &short, from: second.ingress, to: second.egress, rewrite: Self.rewrite)
        #expect(short == Self.relayed + [0x00])
    }

    @Test("open once, then forward: the same bytes as relay")
    func openThenForward() throws {
        let relay = try Distributor(ektInUse: true)
        var buffer = Self.protected + Self.fullEKTField + [UInt8](repeating: 0, count: 19)
        let (opened, length) = try buffer.withUnsafeMutableBytes { buffer in
            let opened = try relay.md.open(
                buffer, length: Self.protected.count + Self.fullEKTField.count,
                from: relay.ingress)
            let length = try relay.md.forward(
                buffer, length: opened.length, to: relay.egress, rewrite: Self.rewrite)
            return (opened, length)
        }
        #expect(opened.length == Self.protected.count - 16 + Self.fullEKTField.count)
        #expect(opened.payloadType == 96 && opened.sequenceNumber == 0x1234 && opened.marker)
        #expect(opened.originalPayloadType == 96 && opened.originalSequenceNumber == 0x1234)
        #expect(Array(buffer[..<length]) == Self.relayed + Self.fullEKTField)
    }

    @Test("the receiver behind the distributor recovers the sender's payload and values")
    func receiverBehindDistributor() throws {
        let store = KeyStore()
        let keys = try store.importDoubleMasterKey(
            Array(Self.doubleKey[..<16]) + Self.egressKey,
            salt: Array(Self.doubleSalt[..<12]) + Self.egressSalt, for: Self.profile)
        let receiver = try DoubleSRTPReceiver(
            profile: Self.profile, hopKey: keys.hopByHop, in: store)
        try receiver.setEndToEndKey(keys.endToEnd, in: store, ssrc: 0xCAFE_BABE)
        var packet = Self.relayed
        let received = try receiver.receive(&packet)
        #expect(received.originalPayloadType == 96)
        #expect(received.originalSequenceNumber == 0x1234)
        #expect(received.originalMarker)
        #expect(received.outerPayloadType == 100)
        #expect(received.outerSequenceNumber == 0x0042)
        // Outer PT and SEQ, the sender's marker, everything else as sent.
        #expect(
            packet
                == TestBytes.hex("90e40042 decafbad cafebabe bede0001 107f0000")
                + Array("PERC test!".utf8))
    }
}
