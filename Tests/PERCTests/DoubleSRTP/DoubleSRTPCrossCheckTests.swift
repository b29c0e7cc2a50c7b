import Testing

@testable import PERC

/// Each layer of double SRTP against libsrtp2 (which has no double transform): two ordinary
/// AEAD-GCM contexts keyed with the inner and the outer half must reproduce every byte — the inner
/// layer on the synthetic packet, the outer layer on the whole packet (RFC 8723 §3.1, §5.1), and
/// the distributor's egress layer on the rewritten packet with its OHB (§5.2).
@Suite("Double SRTP layers against libsrtp2")
struct DoubleSRTPCrossCheckTests {
    /// A libsrtp2 context of one AEAD half, driven through the engine: `SRTPSession` would refuse
    /// an outer packet whose P bit is set (padding sits inside the inner plaintext, so the outer
    /// payload's last octet is the OHB, not a pad count); libsrtp2 itself does not look.
    struct Reference {
        let engine: any SRTPEngine

        init(_ profile: SRTPProfile, key: [UInt8], salt: [UInt8]) throws {
            engine = try key.withUnsafeBytes { key in
                try salt.withUnsafeBytes { salt in
                    try LibSRTPEngine(
                        configuration: .init(profile: profile, engine: .libsrtp2),
                        keys: .master(key: key, salt: salt))
                }
            }
        }

        func protect(_ packet: [UInt8]) throws -> [UInt8] {
            var buffer = packet + [UInt8](repeating: 0, count: 16)
            let length = try buffer.withUnsafeMutableBytes { buffer in
                try engine.protectRTP(
                    buffer, length: packet.count,
                    header: RTPHeader(parsing: UnsafeRawBufferPointer(buffer), length: packet.count)
                )
            }
            return Array(buffer[..<length])
        }

        func unprotect(_ packet: [UInt8]) throws -> [UInt8] {
            var buffer = packet
            let length = try buffer.withUnsafeMutableBytes { buffer in
                try engine.unprotectRTP(
                    buffer, length: packet.count,
                    header: RTPHeader(parsing: UnsafeRawBufferPointer(buffer), length: packet.count)
                )
            }
            return Array(buffer[..<length])
        }
    }

    /// The synthetic packet of RFC 8723 §5.1 step 3: X cleared, extension block dropped.
    static func synthetic(_ plain: [UInt8]) -> (packet: [UInt8], headerLength: Int) {
        let fixed = 12 + 4 * Int(plain[0] & 0x0F)
        var header = Array(plain[..<fixed])
        header[0] &= ~0x10
        return (header + plain[DoublePackets.headerLength(plain)...], fixed)
    }

    @Test(
        "sender, distributor and receiver layers are libsrtp2's bytes",
        arguments: DoubleSRTPProfile.allCases)
    func layers(profile: DoubleSRTPProfile) throws {
        var rng = SeededGenerator(seed: 0xD0_0B1E + UInt64(profile.protectionProfileID))
        let half = profile.halfProfile
        let (innerKey, innerSalt) = (rng.bytes(half.masterKeyLength), rng.bytes(12))
        let (outerKey, outerSalt) = (rng.bytes(half.masterKeyLength), rng.bytes(12))
        let (egressKey, egressSalt) = (rng.bytes(half.masterKeyLength), rng.bytes(12))

        let store = KeyStore()
        let keys = try store.importDoubleMasterKey(
            innerKey + outerKey, salt: innerSalt + outerSalt, for: profile)
        let sender = try DoubleSRTPSender(
            profile: profile, endToEndKey: keys.endToEnd, hopKey: keys.hopByHop, in: store)
        let md = try MediaDistributor(profile: profile, ektInUse: false)
        let ingress = try md.addIngress(hopKey: keys.hopByHop, in: store)
        let egressHop = try store.importHopKey(egressKey, salt: egressSalt, for: profile)
        let egress = try md.addEgress(hopKey: egressHop, in: store)
        let receiver = try DoubleSRTPReceiver(profile: profile, hopKey: egressHop, in: store)
        let ssrc: UInt32 = 0x5EED_0001
        try receiver.setEndToEndKey(keys.endToEnd, in: store, ssrc: ssrc)

        // Sending and receiving contexts are separate, as in libsrtp2 one SSRC is one direction.
        let innerSend = try Reference(half, key: innerKey, salt: innerSalt)
        let innerReceive = try Reference(half, key: innerKey, salt: innerSalt)
        let outerSend = try Reference(half, key: outerKey, salt: outerSalt)
        let outerReceive = try Reference(half, key: outerKey, salt: outerSalt)
        let egressSend = try Reference(half, key: egressKey, salt: egressSalt)

        // SEQ starts near the wrap: every layer's ROC moves to 1 along the way.
        var sequence: UInt16 = 0xFF00
        var egressSequence: UInt16 = 0xFFA0
        for i in 0..<600 {
            let plain = DoublePackets.random(sequence: sequence, ssrc: ssrc, using: &rng)
            sequence &+= 1
            let headerLength = DoublePackets.headerLength(plain)
            var ours = plain
            try sender.protect(&ours)

            // Inner: libsrtp2 over the synthetic packet gives synthetic header ‖ ct ‖ tag.
            let (synthetic, syntheticHeader) = Self.synthetic(plain)
            let innerProtected = try innerSend.protect(synthetic)
            let inner = Array(innerProtected[syntheticHeader...])
            // Outer: libsrtp2 over the original header ‖ inner ct ‖ inner tag ‖ empty OHB.
            let outerPlain = Array(plain[..<headerLength]) + inner + [0x00]
            #expect(ours == (try outerSend.protect(outerPlain)), "packet \(i)")
            // And libsrtp2 opens ours, layer by layer.
            #expect(try outerReceive.unprotect(ours) == outerPlain)
            #expect(try innerReceive.unprotect(innerProtected) == synthetic)

            // The distributor drops every fourth packet, renumbers, changes PT and M.
            if i % 4 == 3 { continue }
            let rewrite = MediaDistributor.HeaderRewrite(
                payloadType: 100, sequenceNumber: egressSequence, marker: i % 3 == 0)
            var relayed = ours
            try md.relay(&relayed, from: ingress, to: egress, rewrite: rewrite)
            var header = Array(plain[..<headerLength])
            header[1] = (i % 3 == 0 ? 0x80 : 0) | 100
            header[2] = UInt8(egressSequence >> 8)
            header[3] = UInt8(truncatingIfNeeded: egressSequence)
            let originalPT = DoublePackets.payloadType(plain)
            let originalSEQ = DoublePackets.sequence(plain)
            let originalM = DoublePackets.marker(plain)
            var ohb: [UInt8] = []
            var config: UInt8 = 0
            if originalPT != 100 {
                ohb.append(originalPT)
                config |= 0x02
            }
            if originalSEQ != egressSequence {
                ohb += [UInt8(originalSEQ >> 8), UInt8(truncatingIfNeeded: originalSEQ)]
                config |= 0x01
            }
            if originalM != (i % 3 == 0) { config |= 0x04 | (originalM ? 0x08 : 0) }
            let egressPlain = header + inner + ohb + [config]
            #expect(relayed == (try egressSend.protect(egressPlain)), "relayed packet \(i)")
            egressSequence &+= 1

            let received = try receiver.receive(&relayed)
            #expect(Array(relayed[received.payloadRange]) == Array(plain[headerLength...]))
        }
        #expect(try sender.rolloverCounter(ssrc: ssrc) == 1)
        #expect(try md.rolloverCounter(ssrc: ssrc, on: egress) == 1)
        #expect(try receiver.rolloverCounter(ssrc: ssrc, layer: .inner) == 1)
    }
}
