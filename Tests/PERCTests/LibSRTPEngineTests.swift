import Testing

@testable import PERC

/// The libsrtp2 reference engine through the public session API: round trips, packet layouts,
/// what it refuses, and that failures change nothing.
@Suite("libsrtp2 engine")
struct LibSRTPEngineTests {
    typealias Fixture = LibSRTPFixture

    struct RoundTrip: CustomTestStringConvertible, Sendable {
        let profile: SRTPProfile
        let encrypt: Bool
        let mki: Bool
        let rtcp: Bool

        var testDescription: String {
            "\(profile) \(rtcp ? "SRTCP" : "SRTP") \(encrypt ? "encrypted" : "auth-only")"
                + (mki ? " MKI" : "")
        }

        var configuration: SRTPSession.Configuration {
            Fixture.configuration(
                profile, encryptRTP: rtcp || encrypt, encryptRTCP: !rtcp || encrypt,
                mki: mki ? [0x0A, 0x0B, 0x0C] : nil)
        }

        /// libsrtp2 2.5 has no RFC 6188 AES-192 KDF, no unencrypted AEAD SRTP, and misplaces
        /// the SRTCP MKI under the _32 suites.
        var expressible: Bool {
            profile != .aesCM192HMACSHA1_80 && !(profile.isAEAD && !rtcp && !encrypt)
                && !(mki && profile.rtpTagLength == 4)
        }

        /// Whether the payload leaves the sender changed (NULL profiles never encrypt).
        var ciphered: Bool { encrypt && profile.cipher != .null }

        static let all: [RoundTrip] = SRTPProfile.allCases.flatMap { profile in
            [true, false].flatMap { encrypt in
                [false, true].flatMap { mki in
                    [false, true].map { rtcp in
                        RoundTrip(profile: profile, encrypt: encrypt, mki: mki, rtcp: rtcp)
                    }
                }
            }
        }
    }

    @Test(arguments: RoundTrip.all)
    func roundTrip(_ c: RoundTrip) throws {
        guard c.expressible else {
            Fixture.expectUnsupported { _ = try Fixture.pair(c.configuration) }
            return
        }
        let pair = try Fixture.pair(c.configuration)
        let profile = c.profile
        let mki: [UInt8] = c.mki ? [0x0A, 0x0B, 0x0C] : []
        if c.rtcp {
            let plain = Fixture.rtcp()
            var packet = plain
            try pair.sender.protectRTCP(&packet)
            let tag = profile.rtcpTagLength
            #expect(packet.count == plain.count + 4 + tag + mki.count)
            #expect(packet[..<8] == plain[..<8])
            #expect((packet[8..<plain.count] != plain[8...]) == c.ciphered)
            // RFC 3711 §3.4: | compound | E‖index | MKI | tag |
            // RFC 7714 §9.2: | compound (ciphertext) | tag | E‖index | MKI |
            let trailer = profile.isAEAD ? plain.count + tag : plain.count
            #expect((packet[trailer] & 0x80 != 0) == c.ciphered)
            #expect(Array(packet[(trailer + 4)..<(trailer + 4 + mki.count)]) == mki)
            try pair.receiver.unprotectRTCP(&packet)
            #expect(packet == plain)
        } else {
            // Across a SEQ wrap: the ROC of both sides moves to 1 (RFC 3711 §3.3.1).
            for sequence: UInt16 in [0xFFFE, 0xFFFF, 0, 1] {
                let plain = Fixture.rtp(sequence: sequence)
                var packet = plain
                try pair.sender.protectRTP(&packet)
                let tag = profile.rtpTagLength
                #expect(packet.count == plain.count + tag + mki.count)
                #expect(packet[..<12] == plain[..<12])
                #expect((packet[12..<plain.count] != plain[12...]) == c.ciphered)
                // RFC 3711 §3.1: | RTP | MKI | tag |; RFC 7714 §8.2: | RTP | tag | MKI |
                let mkiAt = profile.isAEAD ? plain.count + tag : plain.count
                #expect(Array(packet[mkiAt..<(mkiAt + mki.count)]) == mki)
                try pair.receiver.unprotectRTP(&packet)
                #expect(packet == plain)
            }
            #expect(try pair.sender.rolloverCounter(ssrc: Fixture.ssrc, direction: .outbound) == 1)
            #expect(try pair.receiver.rolloverCounter(ssrc: Fixture.ssrc, direction: .inbound) == 1)
        }
    }

    // MARK: What libsrtp2 cannot express

    @Test func sessionKeysAreUnsupported() throws {
        let key = [UInt8](repeating: 1, count: 16)
        let salt = [UInt8](repeating: 2, count: 12)
        Fixture.expectUnsupported {
            _ = try key.withUnsafeBytes { k in
                try salt.withUnsafeBytes { s in
                    try LibSRTPEngine(
                        configuration: Fixture.configuration(.aeadAES128GCM),
                        keys: .session(encryption: k, salt: s, authentication: k))
                }
            }
        }
    }

    @Test(arguments: [32768, 100, 1000])
    func replayWindowsLibSRTPCannotHoldAreUnsupported(window: Int) {
        Fixture.expectUnsupported {
            _ = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80, replayWindow: window))
        }
    }

    @Test(arguments: [64, 1024, 32736])
    func replayWindowsLibSRTPHoldsAreAccepted(window: Int) throws {
        _ = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80, replayWindow: window))
    }

    @Test func largeAEADAuthenticationOnlySRTCPIsUnsupported() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aeadAES128GCM, encryptRTCP: false))
        // 8 + 2040 octets + the 4-octet E‖index word is 2052 octets of AAD (RFC 7714 §9.3).
        var packet = Fixture.rtcp(body: Array(repeating: 7, count: 2040))
        let error = #expect(throws: SRTPError.self) { try pair.sender.protectRTCP(&packet) }
        guard case .unsupported? = error else {
            Issue.record("expected .unsupported, got \(String(describing: error))")
            return
        }
        var fits = Fixture.rtcp(body: Array(repeating: 7, count: 2036))
        try pair.sender.protectRTCP(&fits)
        try pair.receiver.unprotectRTCP(&fits)
        #expect(fits == Fixture.rtcp(body: Array(repeating: 7, count: 2036)))
    }

    // MARK: Replay (RFC 3711 §3.3.2)

    @Test(arguments: [SRTPProfile.aesCM128HMACSHA1_80, .nullHMACSHA1_32, .aeadAES256GCM])
    func duplicateSRTPIsReplayedAndLeavesTheBuffer(_ profile: SRTPProfile) throws {
        let pair = try Fixture.pair(Fixture.configuration(profile))
        var packet = Fixture.rtp(sequence: 7)
        try pair.sender.protectRTP(&packet)
        let wire = packet
        try pair.receiver.unprotectRTP(&packet)
        let (after, result) = Fixture.inBuffer(wire, spare: 0) { buffer throws(SRTPError) in
            try pair.receiver.unprotectRTP(buffer, length: wire.count)
        }
        #expect(throws: SRTPError.replayed) { try result.get() }
        #expect(after == wire)
    }

    @Test func srtpBehindTheWindowIsTooOld() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80, replayWindow: 64))
        var wire: [UInt16: [UInt8]] = [:]
        for sequence: UInt16 in [30, 40, 100] {
            var packet = Fixture.rtp(sequence: sequence)
            try pair.sender.protectRTP(&packet)
            wire[sequence] = packet
        }
        var newest = wire[100]!
        try pair.receiver.unprotectRTP(&newest)
        var old = wire[30]!  // 70 behind a 64-packet window
        #expect(throws: SRTPError.tooOld) { try pair.receiver.unprotectRTP(&old) }
        #expect(old == wire[30]!)
        var inside = wire[40]!  // 60 behind: still inside
        try pair.receiver.unprotectRTP(&inside)
        #expect(inside == Fixture.rtp(sequence: 40))
    }

    @Test func duplicateSRTCPIsReplayed() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aeadAES128GCM))
        var packet = Fixture.rtcp()
        try pair.sender.protectRTCP(&packet)
        var copy = packet
        try pair.receiver.unprotectRTCP(&packet)
        let wire = copy
        #expect(throws: SRTPError.replayed) { try pair.receiver.unprotectRTCP(&copy) }
        #expect(copy == wire)
    }

    /// libsrtp2's SRTCP window is a fixed 128 packets whatever `replayWindow` says.
    @Test func srtcpUsesLibSRTPsFixedWindowOf128() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80))
        var wire: [[UInt8]] = []
        for _ in 0..<200 {
            var packet = Fixture.rtcp()
            try pair.sender.protectRTCP(&packet)
            wire.append(packet)
        }
        var newest = wire[199]
        try pair.receiver.unprotectRTCP(&newest)
        var old = wire[199 - 128]
        #expect(throws: SRTPError.tooOld) { try pair.receiver.unprotectRTCP(&old) }
        var inside = wire[199 - 127]
        try pair.receiver.unprotectRTCP(&inside)
        #expect(inside == Fixture.rtcp())
    }

    @Test func senderRefusesToProtectASequenceNumberTwice() throws {
        let pair = try Fixture.pair(Fixture.configuration(.aesCM128HMACSHA1_80))
        var first = Fixture.rtp(sequence: 9)
        try pair.sender.protectRTP(&first)
        var again = Fixture.rtp(sequence: 9)
        #expect(throws: SRTPError.replayed) { try pair.sender.protectRTP(&again) }
        #expect(again == Fixture.rtp(sequence: 9))
    }

    // MARK: Tampering and MKI

    struct Tamper: CustomTestStringConvertible, Sendable {
        let profile: SRTPProfile
        let rtcp: Bool
        /// Offset from the start (≥ 0) or from the end (< 0) of the protected packet.
        let offset: Int
        var testDescription: String { "\(profile) \(rtcp ? "SRTCP" : "SRTP") octet \(offset)" }

        static let all: [Tamper] = [
            SRTPProfile.aesCM128HMACSHA1_80, .aesCM256HMACSHA1_32,
            .nullHMACSHA1_80, .aeadAES128GCM, .aeadAES256GCM,
        ].flatMap { profile in
            [false, true].flatMap { rtcp in
                // Header, payload, last octet (tag, or the E‖index word for AEAD SRTCP).
                [1, 14, -1].map { Tamper(profile: profile, rtcp: rtcp, offset: $0) }
            }
        }
    }

    @Test(arguments: Tamper.all)
    func tamperedPacketFailsAuthenticationAndChangesNothing(_ t: Tamper) throws {
        let pair = try Fixture.pair(Fixture.configuration(t.profile))
        var packet = t.rtcp ? Fixture.rtcp() : Fixture.rtp(sequence: 77)
        if t.rtcp {
            try pair.sender.protectRTCP(&packet)
        } else {
            try pair.sender.protectRTP(&packet)
        }
        var tampered = packet
        tampered[t.offset >= 0 ? t.offset : tampered.count + t.offset] ^= 0x01
        let (after, result) = Fixture.inBuffer(tampered, spare: 0) { buffer throws(SRTPError) in
            t.rtcp
                ? try pair.receiver.unprotectRTCP(buffer, length: tampered.count)
                : try pair.receiver.unprotectRTP(buffer, length: tampered.count)
        }
        #expect(throws: SRTPError.authenticationFailed) { try result.get() }
        #expect(after == tampered)
        // No replay-window or stream state was taken: the genuine packet still goes through.
        if t.rtcp {
            try pair.receiver.unprotectRTCP(&packet)
        } else {
            try pair.receiver.unprotectRTP(&packet)
        }
        #expect(packet == (t.rtcp ? Fixture.rtcp() : Fixture.rtp(sequence: 77)))
    }

    @Test(arguments: [SRTPProfile.aesCM128HMACSHA1_80, .aeadAES128GCM])
    func unknownMKIIsMalformed(_ profile: SRTPProfile) throws {
        let store = KeyStore()
        let key = try store.generateSRTPMasterKey(for: profile)
        let sender = try SRTPSession(
            key: key, in: store, configuration: Fixture.configuration(profile, mki: [1, 2]))
        let receiver = try SRTPSession(
            key: key, in: store, configuration: Fixture.configuration(profile, mki: [1, 3]))
        var packet = Fixture.rtp(sequence: 1)
        try sender.protectRTP(&packet)
        let wire = packet
        #expect(throws: SRTPError.malformed(.unknownMKI)) { try receiver.unprotectRTP(&packet) }
        #expect(packet == wire)
        var report = Fixture.rtcp()
        try sender.protectRTCP(&report)
        #expect(throws: SRTPError.malformed(.unknownMKI)) { try receiver.unprotectRTCP(&report) }
    }

    /// An SRTCP packet whose E flag contradicts the receiver's setting cannot be verified under
    /// its context (libsrtp2: srtp_err_status_cant_check).
    @Test func srtcpWithTheOtherEFlagFailsAuthentication() throws {
        let store = KeyStore()
        let key = try store.generateSRTPMasterKey(for: .aesCM128HMACSHA1_80)
        let sender = try SRTPSession(
            key: key, in: store, configuration: Fixture.configuration(.aesCM128HMACSHA1_80))
        let receiver = try SRTPSession(
            key: key, in: store,
            configuration: Fixture.configuration(.aesCM128HMACSHA1_80, encryptRTCP: false))
        var packet = Fixture.rtcp()
        try sender.protectRTCP(&packet)
        let wire = packet
        #expect(throws: SRTPError.authenticationFailed) { try receiver.unprotectRTCP(&packet) }
        #expect(packet == wire)
    }

    /// Lengths libsrtp2 itself rejects map to `.malformed(.truncated)` (the session checks
    /// lengths first, so this calls the engine directly).
    @Test func srtcpTooShortForItsTrailerIsTruncated() throws {
        let key = [UInt8](repeating: 5, count: 16)
        let salt = [UInt8](repeating: 6, count: 14)
        let engine = try key.withUnsafeBytes { k in
            try salt.withUnsafeBytes { s in
                try LibSRTPEngine(
                    configuration: Fixture.configuration(.aesCM128HMACSHA1_80),
                    keys: .master(key: k, salt: s))
            }
        }
        let short = Fixture.rtcp(body: [1, 2, 3, 4])  // 12 octets: no room for a 10-octet tag
        let header = try short.withUnsafeBytes { raw in
            try RTCPHeader(parsing: raw, length: short.count)
        }
        let (after, result) = Fixture.inBuffer(short, spare: 0) { buffer throws(SRTPError) in
            try engine.unprotectRTCP(buffer, length: short.count, header: header)
        }
        #expect(throws: SRTPError.malformed(.truncated)) { try result.get() }
        #expect(after == short)
    }

    // MARK: Lifetime and threads

    @Test func wipedEngineRefusesEverything() throws {
        let key = [UInt8](repeating: 3, count: 16)
        let salt = [UInt8](repeating: 4, count: 14)
        let engine = try key.withUnsafeBytes { k in
            try salt.withUnsafeBytes { s in
                try LibSRTPEngine(
                    configuration: Fixture.configuration(.aesCM128HMACSHA1_80),
                    keys: .master(key: k, salt: s))
            }
        }
        let packet = Fixture.rtp(sequence: 1)
        let header = try packet.withUnsafeBytes { raw in
            try RTPHeader(parsing: raw, length: packet.count)
        }
        engine.wipe()
        engine.wipe()
        let (after, result) = Fixture.inBuffer(packet, spare: 10) { buffer throws(SRTPError) in
            try engine.protectRTP(buffer, length: packet.count, header: header)
        }
        #expect(throws: SRTPError.keyRevoked) { try result.get() }
        #expect(after == packet + Array(repeating: 0xEE, count: 10))
        #expect(engine.rolloverCounter(ssrc: Fixture.ssrc, direction: .outbound) == nil)
        #expect(throws: SRTPError.keyRevoked) {
            try engine.setRolloverCounter(1, ssrc: Fixture.ssrc, direction: .inbound)
        }
    }

    /// srtp_init runs once per process however many engines start at the same time.
    @Test func enginesStartConcurrently() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for profile in SRTPProfile.allCases where profile != .aesCM192HMACSHA1_80 {
                group.addTask {
                    let pair = try Fixture.pair(Fixture.configuration(profile))
                    var packet = Fixture.rtp(sequence: 5)
                    try pair.sender.protectRTP(&packet)
                    try pair.receiver.unprotectRTP(&packet)
                    #expect(packet == Fixture.rtp(sequence: 5))
                }
            }
            try await group.waitForAll()
        }
    }
}
