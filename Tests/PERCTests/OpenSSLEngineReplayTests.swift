import Testing

@_spi(Conformance) @testable import PERC

/// Replay protection on both sides (RFC 3711 §3.3.2): receivers discard replayed and too-old
/// packets; senders refuse to protect an index twice (keystream reuse).
@Suite struct OpenSSLEngineReplayTests {
    private func protect(_ sender: TestSession, sequence: UInt16) throws -> [UInt8] {
        var packet = TestPackets.rtp(sequence: sequence)
        try sender.session.protectRTP(&packet)
        return packet
    }

    private func unprotect(_ receiver: TestSession, _ packet: [UInt8]) throws {
        var copy = packet
        try receiver.session.unprotectRTP(&copy)
    }

    @Test(arguments: [SRTPProfile.aesCM128HMACSHA1_80, .aeadAES128GCM])
    func duplicateIsReplayed(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        let packet = try protect(sender, sequence: 10)
        try unprotect(receiver, packet)
        var again = packet
        #expect(throws: SRTPError.replayed) { try receiver.session.unprotectRTP(&again) }
        #expect(again == packet)
        try unprotect(receiver, try protect(sender, sequence: 11))
    }

    @Test func reorderedInsideTheWindowIsAccepted() throws {
        let sender = try TestSession(.aesCM128HMACSHA1_80, replayWindow: 64)
        let receiver = try TestSession(.aesCM128HMACSHA1_80, replayWindow: 64)
        let packets = try (1...70).map { try protect(sender, sequence: UInt16($0)) }
        for index in [69, 6, 68, 10, 7, 66, 9] { try unprotect(receiver, packets[index]) }
        #expect(throws: SRTPError.replayed) { try unprotect(receiver, packets[10]) }
        // Behind SEQ 70 a 64-packet window holds SEQ 7 (packets[6]) at the oldest; SEQ 6 is too old.
        #expect(throws: SRTPError.tooOld) { try unprotect(receiver, packets[5]) }
        try unprotect(receiver, packets[11])
    }

    /// The window holds exactly `size` indices (RFC 3711 §3.3.2: at least 64).
    @Test(arguments: [64, 32768])
    func windowEdges(size: Int) throws {
        let sender = try TestSession(.aeadAES128GCM, replayWindow: size)
        let receiver = try TestSession(.aeadAES128GCM, replayWindow: size)
        let first = try protect(sender, sequence: 1)
        let second = try protect(sender, sequence: 2)
        let edge = try protect(sender, sequence: UInt16(1 + size - 1))
        let past = try protect(sender, sequence: UInt16(1 + size))
        try unprotect(receiver, first)
        try unprotect(receiver, edge)
        #expect(throws: SRTPError.replayed) { try unprotect(receiver, first) }
        try unprotect(receiver, past)
        #expect(throws: SRTPError.tooOld) { try unprotect(receiver, first) }
        try unprotect(receiver, second)  // size − 1 behind: the oldest slot, still unseen
    }

    @Test(arguments: [SRTPProfile.aesCM256HMACSHA1_32, .aeadAES256GCM])
    func srtcpReplayAndAge(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile, replayWindow: 64)
        let receiver = try TestSession(profile, replayWindow: 64)
        var packets: [[UInt8]] = []
        for _ in 0..<70 {
            var packet = TestPackets.rtcp
            try sender.session.protectRTCP(&packet)
            packets.append(packet)
        }
        var copy = packets[69]
        try receiver.session.unprotectRTCP(&copy)
        copy = packets[69]
        #expect(throws: SRTPError.replayed) { try receiver.session.unprotectRTCP(&copy) }
        #expect(copy == packets[69])
        copy = packets[6]
        try receiver.session.unprotectRTCP(&copy)
        copy = packets[5]
        #expect(throws: SRTPError.tooOld) { try receiver.session.unprotectRTCP(&copy) }
    }

    /// The sender estimates each index as a receiver would and never protects one twice.
    @Test(arguments: [SRTPProfile.nullHMACSHA1_80, .aeadAES128GCM])
    func senderRefusesToReuseAnIndex(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile, replayWindow: 64)
        _ = try protect(sender, sequence: 5)
        _ = try protect(sender, sequence: 100)
        var packet = TestPackets.rtp(sequence: 5)
        #expect(throws: SRTPError.tooOld) { try sender.session.protectRTP(&packet) }
        #expect(packet == TestPackets.rtp(sequence: 5))
        packet = TestPackets.rtp(sequence: 100)
        #expect(throws: SRTPError.replayed) { try sender.session.protectRTP(&packet) }
        #expect(packet == TestPackets.rtp(sequence: 100))
        _ = try protect(sender, sequence: 99)  // reordered send inside the window is fine
    }

    /// Inbound streams appear only once a packet authenticated (RFC 3711 §3.3: state changes only
    /// after authentication).
    @Test func failedPacketCreatesNoStream() throws {
        let sender = try TestSession(.aesCM128HMACSHA1_80)
        let receiver = try TestSession(.aesCM128HMACSHA1_80)
        var packet = try protect(sender, sequence: 1)
        packet[packet.count - 1] ^= 1
        #expect(throws: SRTPError.authenticationFailed) { try unprotect(receiver, packet) }
        #expect(try receiver.session.rolloverCounter(ssrc: 0xcafe_babe, direction: .inbound) == nil)
        var rtcp = TestPackets.rtcp
        try sender.session.protectRTCP(&rtcp)
        rtcp[9] ^= 1
        #expect(throws: SRTPError.authenticationFailed) {
            try receiver.session.unprotectRTCP(&rtcp)
        }
        #expect(try receiver.session.rolloverCounter(ssrc: 0xcafe_babe, direction: .inbound) == nil)
    }
}
