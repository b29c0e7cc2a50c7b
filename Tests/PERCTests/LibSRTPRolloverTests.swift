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

    @Test func settingTheROCOfARunningStreamRestartsIt() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80))
        let ssrc = Fixture.ssrc
        var first = Fixture.rtp(sequence: 10)
        try pair.sender.protectRTP(&first)
        try pair.receiver.unprotectRTP(&first)

        try pair.sender.setRolloverCounter(3, ssrc: ssrc, direction: .outbound)
        var moved = Fixture.rtp(sequence: 20)
        try pair.sender.protectRTP(&moved)
        #expect(try pair.sender.rolloverCounter(ssrc: ssrc, direction: .outbound) == 3)
        var guessed = moved
        #expect(throws: SRTPError.authenticationFailed) {
            try pair.receiver.unprotectRTP(&guessed)
        }
        try pair.receiver.setRolloverCounter(3, ssrc: ssrc, direction: .inbound)
        try pair.receiver.unprotectRTP(&moved)
        #expect(moved == Fixture.rtp(sequence: 20))

        // Back to ROC 0: a lower ROC is taken as well (the restarted stream has no history).
        try pair.sender.setRolloverCounter(0, ssrc: ssrc, direction: .outbound)
        try pair.receiver.setRolloverCounter(0, ssrc: ssrc, direction: .inbound)
        var back = Fixture.rtp(sequence: 11)
        try pair.sender.protectRTP(&back)
        try pair.receiver.unprotectRTP(&back)
        #expect(back == Fixture.rtp(sequence: 11))
        #expect(try pair.receiver.rolloverCounter(ssrc: ssrc, direction: .inbound) == 0)
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
