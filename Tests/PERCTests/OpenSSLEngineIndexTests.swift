import Testing

@_spi(Conformance) @testable import PERC

/// The packet index: ROC rollover (RFC 3711 §3.3.1), late join, and refusing to exhaust the
/// 2^48 SRTP / 2^31 SRTCP index space (RFC 3711 §3.3.1, §3.4, §9.2; RFC 7714 §9.4).
@Suite struct OpenSSLEngineIndexTests {
    static let profiles: [SRTPProfile] = [.aesCM128HMACSHA1_80, .nullHMACSHA1_32, .aeadAES256GCM]

    private func protect(_ sender: TestSession, sequence: UInt16) throws -> [UInt8] {
        var packet = TestPackets.rtp(sequence: sequence)
        try sender.session.protectRTP(&packet)
        return packet
    }

    private func unprotect(_ receiver: TestSession, _ packet: [UInt8]) throws -> [UInt8] {
        var copy = packet
        try receiver.session.unprotectRTP(&copy)
        return copy
    }

    private func roc(_ t: TestSession, _ direction: StreamDirection) throws -> UInt32? {
        try t.session.rolloverCounter(ssrc: 0xcafe_babe, direction: direction)
    }

    @Test(arguments: profiles)
    func rolloverAcrossSequenceWrap(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        var sent: [UInt16: [UInt8]] = [:]
        for sequence: UInt16 in [0xfffe, 0xffff, 0, 1] {
            sent[sequence] = try protect(sender, sequence: sequence)
        }
        #expect(try roc(sender, .outbound) == 1)
        for sequence: UInt16 in [0xfffe, 0xffff, 0, 1] {
            #expect(try unprotect(receiver, sent[sequence]!) == TestPackets.rtp(sequence: sequence))
        }
        #expect(try roc(receiver, .inbound) == 1)
        // A late packet from before the wrap is sent and received with ROC − 1 = 0.
        let late = try protect(sender, sequence: 0xfffd)
        #expect(try unprotect(receiver, late) == TestPackets.rtp(sequence: 0xfffd))
        #expect(try roc(receiver, .inbound) == 1)
        // SEQ 0 after the wrap is index 2^16, not 0: its keystream/tag differ from a ROC 0 packet.
        let fresh = try TestSession(profile)
        #expect(try protect(fresh, sequence: 0) != sent[0])
    }

    /// A receiver joining late must be given the ROC (RFC 3711 §3.3.1).
    @Test(arguments: profiles)
    func lateJoinNeedsTheROC(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        try sender.session.setRolloverCounter(5, ssrc: 0xcafe_babe, direction: .outbound)
        let packet = try protect(sender, sequence: 100)
        #expect(try roc(sender, .outbound) == 5)

        let uninformed = try TestSession(profile)
        #expect(throws: SRTPError.authenticationFailed) { _ = try unprotect(uninformed, packet) }
        #expect(try roc(uninformed, .inbound) == nil)

        let informed = try TestSession(profile)
        try informed.session.setRolloverCounter(5, ssrc: 0xcafe_babe, direction: .inbound)
        #expect(try roc(informed, .inbound) == 5)
        #expect(try unprotect(informed, packet) == TestPackets.rtp(sequence: 100))
        #expect(try unprotect(informed, try protect(sender, sequence: 101)).count > 0)
    }

    /// Setting the ROC clears s_l: the next SEQ starts the stream again.
    @Test func settingTheROCResynchronises() throws {
        let sender = try TestSession(.aeadAES128GCM)
        let receiver = try TestSession(.aeadAES128GCM)
        _ = try unprotect(receiver, try protect(sender, sequence: 0xfff0))
        try sender.session.setRolloverCounter(7, ssrc: 0xcafe_babe, direction: .outbound)
        try receiver.session.setRolloverCounter(7, ssrc: 0xcafe_babe, direction: .inbound)
        let packet = try protect(sender, sequence: 3)
        #expect(try unprotect(receiver, packet) == TestPackets.rtp(sequence: 3))
        #expect(try roc(receiver, .inbound) == 7)
    }

    /// ROC 2^32 − 1, SEQ 0xFFFF is the last index; the next would wrap to 0 and reuse keystream.
    @Test(arguments: profiles)
    func srtpIndexExhaustion(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        try sender.session.setRolloverCounter(.max, ssrc: 0xcafe_babe, direction: .outbound)
        try receiver.session.setRolloverCounter(.max, ssrc: 0xcafe_babe, direction: .inbound)
        let last = try protect(sender, sequence: 0xffff)
        #expect(try unprotect(receiver, last) == TestPackets.rtp(sequence: 0xffff))

        var packet = TestPackets.rtp(sequence: 0)
        #expect(throws: SRTPError.indexExhausted) { try sender.session.protectRTP(&packet) }
        #expect(packet == TestPackets.rtp(sequence: 0))
        #expect(try roc(sender, .outbound) == .max)
        // A receiver refuses to guess past the last ROC too, before any cryptography.
        var forged = last
        forged[2] = 0
        forged[3] = 0
        #expect(throws: SRTPError.indexExhausted) { try receiver.session.unprotectRTP(&forged) }
        #expect(try roc(receiver, .inbound) == .max)
    }

    /// SRTCP indices run 0 … 2^31 − 1; then the sender must rekey (RFC 3711 §3.4, RFC 7714 §9.4).
    @Test(arguments: profiles)
    func srtcpIndexExhaustion(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        try sender.session.setNextSRTCPIndex(0x7fff_ffff, ssrc: 0xcafe_babe)
        var packet = TestPackets.rtcp
        try sender.session.protectRTCP(&packet)
        let trailerStart = TestPackets.rtcp.count + (profile.isAEAD ? 16 : 0)
        let eBit: UInt8 = profile.cipher == .null ? 0 : 0x80
        #expect(Array(packet[trailerStart..<trailerStart + 4]) == [eBit | 0x7f, 0xff, 0xff, 0xff])
        try receiver.session.unprotectRTCP(&packet)
        #expect(packet == TestPackets.rtcp)

        packet = TestPackets.rtcp
        #expect(throws: SRTPError.indexExhausted) { try sender.session.protectRTCP(&packet) }
        #expect(packet == TestPackets.rtcp)
        #expect(throws: SRTPError.invalidArgument("SRTCP index beyond 2^31")) {
            try sender.session.setNextSRTCPIndex(0x8000_0001, ssrc: 1)
        }
    }
}
