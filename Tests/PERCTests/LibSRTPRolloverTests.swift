import Testing

@testable import PERC

/// ROC handling of the libsrtp2 engine: late join (RFC 3711 §3.3.1), restarts, and refusing to
/// wrap the 48-bit index, which libsrtp2 2.5 itself does not do.
@Suite("libsrtp2 engine ROC and index")
struct LibSRTPRolloverTests {
    typealias Fixture = LibSRTPFixture
    static let profiles: [SRTPProfile] = [.aesCM128HMACSHA1_80, .nullHMACSHA1_32, .aeadAES128GCM]

    @Test(arguments: profiles)
    func lateJoinerNeedsTheROC(_ profile: SRTPProfile) throws {
        let pair = try Fixture.pair(Fixture.configuration(profile))
        let ssrc = Fixture.ssrc
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == nil)
        try pair.sender.setRolloverCounter(7, ssrc: ssrc, direction: .outbound)
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 7)
        var packet = Fixture.rtp(sequence: 100)
        try pair.sender.protectRTP(&packet)
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 7)

        // Without the ROC the receiver guesses 0: the ROC is in the tag (RFC 3711 §4.2) or the
        // GCM IV (RFC 7714 §8.1), so the packet does not verify, and no stream is created.
        var guessed = packet
        #expect(throws: SRTPError.authenticationFailed) {
            try pair.receiver.unprotectRTP(&guessed)
        }
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == nil)

        try pair.receiver.setRolloverCounter(7, ssrc: ssrc, direction: .inbound)
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 7)
        try pair.receiver.unprotectRTP(&packet)
        #expect(packet == Fixture.rtp(sequence: 100))
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 7)
        // The stream keeps estimating from there: SEQ wraps move it to ROC 8.
        for sequence: UInt16 in [0x8000, 0xFFFF, 3] {
            var next = Fixture.rtp(sequence: sequence)
            try pair.sender.protectRTP(&next)
            try pair.receiver.unprotectRTP(&next)
            #expect(next == Fixture.rtp(sequence: sequence))
        }
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 8)
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 8)
    }

    /// EKT may signal the ROC a stream already has: nothing restarts, the replay window stays.
    @Test func settingTheSameROCKeepsTheStream() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80))
        var packet = Fixture.rtp(sequence: 10)
        try pair.sender.protectRTP(&packet)
        var replay = packet
        try pair.receiver.unprotectRTP(&packet)
        try pair.receiver.setRolloverCounter(0, ssrc: Fixture.ssrc, direction: .inbound)
        try pair.sender.setRolloverCounter(0, ssrc: Fixture.ssrc, direction: .outbound)
        #expect(throws: SRTPError.replayed) { try pair.receiver.unprotectRTP(&replay) }
    }

    @Test func anInboundStreamTakesANewROC() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aeadAES128GCM))
        let ssrc = Fixture.ssrc
        var first = Fixture.rtp(sequence: 10)
        try pair.sender.protectRTP(&first)
        try pair.receiver.unprotectRTP(&first)

        // A second sender on the same key and SSRC that is at ROC 3 (a restarted endpoint).
        let other = try SRTPSession(
            key: pair.key, in: pair.store, configuration: Fixture.configuration(.aeadAES128GCM))
        try other.setRolloverCounter(3, ssrc: ssrc, direction: .outbound)
        var moved = Fixture.rtp(sequence: 20)
        try other.protectRTP(&moved)
        var guessed = moved
        #expect(throws: SRTPError.authenticationFailed) {
            try pair.receiver.unprotectRTP(&guessed)
        }
        try pair.receiver.setRolloverCounter(3, ssrc: ssrc, direction: .inbound)
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 3)
        try pair.receiver.unprotectRTP(&moved)
        #expect(moved == Fixture.rtp(sequence: 20))
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 3)
    }

    /// Restarting a running outbound stream in libsrtp2 would send SRTCP indices 1, 2, … again.
    @Test func aRunningOutboundStreamKeepsItsROC() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aeadAES128GCM))
        let ssrc = Fixture.ssrc
        try pair.sender.setRolloverCounter(2, ssrc: ssrc, direction: .outbound)
        try pair.sender.setRolloverCounter(4, ssrc: ssrc, direction: .outbound)  // nothing sent yet
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 4)
        var report = Fixture.rtcp()
        try pair.sender.protectRTCP(&report)
        Fixture.expectUnsupported {
            try pair.sender.setRolloverCounter(5, ssrc: ssrc, direction: .outbound)
        }
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 4)
        var packet = Fixture.rtp(sequence: 1)
        try pair.sender.protectRTP(&packet)
        try pair.receiver.setRolloverCounter(4, ssrc: ssrc, direction: .inbound)
        try pair.receiver.unprotectRTP(&packet)
        #expect(packet == Fixture.rtp(sequence: 1))
    }

    /// RFC 3711 §3.3.1 / §9.2: after index 2^48 − 1 the sender must stop; libsrtp2 2.5 would
    /// wrap the ROC to 0 and reuse keystream, so the engine refuses first.
    @Test(arguments: profiles)
    func indexExhaustionIsRefusedBeforeLibSRTPWraps(_ profile: SRTPProfile) throws {
        let pair = try Fixture.pair(Fixture.configuration(profile))
        let ssrc = Fixture.ssrc
        try pair.sender.setRolloverCounter(.max, ssrc: ssrc, direction: .outbound)
        try pair.receiver.setRolloverCounter(.max, ssrc: ssrc, direction: .inbound)
        var sent: [[UInt8]] = []
        for sequence: UInt16 in [0xFFFE, 0xFFFF] {
            var packet = Fixture.rtp(sequence: sequence)
            try pair.sender.protectRTP(&packet)
            sent.append(packet)
        }
        let overhead = pair.sender.maxRTPOverhead
        for sequence: UInt16 in [0, 1, 0x7FFE] {
            let wrapping = Fixture.rtp(sequence: sequence)
            let (after, result) = Fixture.inBuffer(wrapping, spare: overhead) {
                buffer throws(SRTPError) in
                try pair.sender.protectRTP(buffer, length: wrapping.count)
            }
            #expect(throws: SRTPError.indexExhausted) { try result.get() }
            #expect(after == wrapping + Array(repeating: 0xEE, count: overhead))
        }
        // A late packet of the last ROC still has an index below 2^48.
        var late = Fixture.rtp(sequence: 0xFFF0)
        try pair.sender.protectRTP(&late)
        sent.append(late)
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == .max)
        for var packet in sent {
            try pair.receiver.unprotectRTP(&packet)
        }
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == .max)
    }
}
