import Testing

@_spi(Conformance) @testable import PERC

/// Protect → unprotect for every profile × {encrypt, authentication only} × {no MKI, MKI} ×
/// {RTP, RTCP}, plus packet shapes, stream separation and key lifetime.
@Suite struct OpenSSLEngineRoundTripTests {
    struct Mode: Sendable, CustomTestStringConvertible {
        let profile: SRTPProfile
        let encrypt: Bool
        let mki: [UInt8]?
        var testDescription: String {
            "\(profile) \(encrypt ? "encrypt" : "auth-only") \(mki == nil ? "no MKI" : "MKI")"
        }

        func session(encryptRTCP: Bool? = nil) throws -> TestSession {
            try TestSession(
                profile, encryptRTP: encrypt, encryptRTCP: encryptRTCP ?? encrypt, mki: mki)
        }
    }

    static let modes: [Mode] = SRTPProfile.allCases.flatMap { profile in
        [true, false].flatMap { encrypt in
            [nil, [0x01, 0x02, 0x03]].map { Mode(profile: profile, encrypt: encrypt, mki: $0) }
        }
    }

    @Test(arguments: modes)
    func rtpRoundTrip(_ mode: Mode) throws {
        let sender = try mode.session()
        let receiver = try mode.session()
        let enciphers = mode.encrypt && mode.profile.cipher != .null
        for sequence: UInt16 in [1, 2, 3, 7, 5] {
            let plaintext = TestPackets.rtp(sequence: sequence)
            var packet = plaintext
            try sender.session.protectRTP(&packet)
            #expect(
                packet.count == plaintext.count + mode.profile.rtpTagLength + (mode.mki?.count ?? 0)
            )
            #expect(packet[..<12] == plaintext[..<12])  // header in the clear
            let payload = packet[12..<plaintext.count]
            #expect((payload != plaintext[12...]) == enciphers)
            if let mki = mode.mki {
                // RFC 3711 §3.1: MKI before the tag; RFC 7714 (libsrtp): after the AEAD tag.
                let start = mode.profile.isAEAD ? plaintext.count + 16 : plaintext.count
                #expect(Array(packet[start..<start + mki.count]) == mki)
            }
            try receiver.session.unprotectRTP(&packet)
            #expect(packet == plaintext)
        }
        #expect(try receiver.session.rolloverCounter(ssrc: 0xcafe_babe, direction: .inbound) == 0)
    }

    @Test(arguments: modes)
    func rtcpRoundTrip(_ mode: Mode) throws {
        let sender = try mode.session()
        let receiver = try mode.session()
        let eBit = mode.encrypt && mode.profile.cipher != .null
        for index: UInt32 in 0..<4 {
            var packet = TestPackets.rtcp
            try sender.session.protectRTCP(&packet)
            let mkiLength = mode.mki?.count ?? 0
            #expect(
                packet.count
                    == TestPackets.rtcp.count + 4 + mode.profile.rtcpTagLength + mkiLength)
            #expect(packet[..<8] == TestPackets.rtcp[..<8])
            let trailerStart = TestPackets.rtcp.count + (mode.profile.isAEAD ? 16 : 0)
            let trailer = packet[trailerStart..<trailerStart + 4].reduce(0) { $0 << 8 | UInt32($1) }
            #expect(trailer == (eBit ? 0x8000_0000 : 0) | index)  // RFC 3711 §3.4: 0, 1, 2, …
            if let mki = mode.mki {
                #expect(Array(packet[trailerStart + 4..<trailerStart + 4 + mki.count]) == mki)
            }
            if !eBit { #expect(packet[..<TestPackets.rtcp.count] == TestPackets.rtcp[...]) }
            try receiver.session.unprotectRTCP(&packet)
            #expect(packet == TestPackets.rtcp)
        }
    }

    /// RFC 3711 §3.4: the receiver follows the E bit, whatever it would send itself.
    @Test(arguments: SRTPProfile.allCases)
    func receiverFollowsTheEBit(_ profile: SRTPProfile) throws {
        let clearSender = try TestSession(profile, encryptRTCP: false)
        let encryptingSender = try TestSession(profile, encryptRTCP: true)
        let receiver = try TestSession(profile, encryptRTCP: true)
        try encryptingSender.session.setNextSRTCPIndex(1, ssrc: 0xcafe_babe)
        for sender in [clearSender, encryptingSender] {
            var packet = TestPackets.rtcp
            try sender.session.protectRTCP(&packet)
            try receiver.session.unprotectRTCP(&packet)
            #expect(packet == TestPackets.rtcp)
        }
    }

    /// CSRCs, a header extension and RTP padding: everything up to the end of the extension is
    /// left in the clear (RFC 3711 §3.1, RFC 7714 §8.2); padding is part of the payload.
    @Test(arguments: SRTPProfile.allCases)
    func headerExtensionCSRCsAndPadding(_ profile: SRTPProfile) throws {
        let plaintext = TestBytes.hex(
            """
            b2604321 00000064 01020304 a1a1a1a1 b2b2b2b2 bede0002 10ff2233 44556600 \
            7061796c6f6164 000003
            """)
        let headerLength = 12 + 8 + 12
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        var packet = plaintext
        try sender.session.protectRTP(&packet)
        #expect(packet[..<headerLength] == plaintext[..<headerLength])
        try receiver.session.unprotectRTP(&packet)
        #expect(packet == plaintext)
    }

    @Test(arguments: SRTPProfile.allCases)
    func emptyPayloadAndEmptyRTCPBody(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        var rtp = Array(TestPackets.rtp[..<12])
        try sender.session.protectRTP(&rtp)
        #expect(rtp.count == 12 + profile.rtpTagLength)
        try receiver.session.unprotectRTP(&rtp)
        #expect(rtp == Array(TestPackets.rtp[..<12]))
        var rtcp = TestBytes.hex("80c90001cafebabe")  // empty RR
        try sender.session.protectRTCP(&rtcp)
        try receiver.session.unprotectRTCP(&rtcp)
        #expect(rtcp == TestBytes.hex("80c90001cafebabe"))
    }

    /// Each SSRC is its own stream with its own index and replay state (RFC 3711 §3.2.1).
    @Test func streamsAreIndependentPerSSRC() throws {
        let sender = try TestSession(.aeadAES128GCM)
        let receiver = try TestSession(.aeadAES128GCM)
        for ssrc: UInt32 in [1, 2, 3] {
            var packet = TestPackets.rtp(sequence: 9, ssrc: ssrc)
            try sender.session.protectRTP(&packet)
            try receiver.session.unprotectRTP(&packet)
            var rtcp = TestPackets.rtcp
            rtcp.replaceSubrange(4..<8, with: [0, 0, 0, UInt8(ssrc)])
            try sender.session.protectRTCP(&rtcp)
            #expect(rtcp.suffix(4) == [0x80, 0, 0, 0])  // every SSRC starts at index 0
            try receiver.session.unprotectRTCP(&rtcp)
        }
        #expect(try receiver.session.rolloverCounter(ssrc: 2, direction: .inbound) == 0)
        #expect(try receiver.session.rolloverCounter(ssrc: 4, direction: .inbound) == nil)
        #expect(try sender.session.rolloverCounter(ssrc: 3, direction: .outbound) == 0)
    }

    /// The same packet under different SSRCs (same SEQ) gets different keystream (RFC 3711 §4.1.1).
    @Test func ssrcEntersTheIV() throws {
        let sender = try TestSession(.aesCM128HMACSHA1_80)
        var a = TestPackets.rtp(sequence: 1, ssrc: 1)
        var b = TestPackets.rtp(sequence: 1, ssrc: 2)
        try sender.session.protectRTP(&a)
        try sender.session.protectRTP(&b)
        #expect(a[12..<35] != b[12..<35])
    }

    @Test(arguments: SRTPProfile.allCases)
    func wrongKeyFailsAuthentication(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(
            profile, key: [UInt8](repeating: 0x42, count: profile.masterKeyLength))
        var packet = TestPackets.rtp
        try sender.session.protectRTP(&packet)
        let protected = packet
        #expect(throws: SRTPError.authenticationFailed) {
            try receiver.session.unprotectRTP(&packet)
        }
        #expect(packet == protected)
    }

    @Test func bufferWithoutRoomIsRefusedUntouched() throws {
        let sender = try TestSession(.aeadAES128GCM)
        var bytes = TestPackets.rtp + [UInt8](repeating: 0, count: 15)
        let length = TestPackets.rtp.count
        let before = bytes
        #expect(throws: SRTPError.bufferTooSmall(needed: length + 16)) {
            try bytes.withUnsafeMutableBytes { buffer in
                try Result { () throws(SRTPError) in
                    try sender.session.protectRTP(buffer, length: length)
                }.get()
            }
        }
        #expect(bytes == before)
        #expect(try sender.session.rolloverCounter(ssrc: 0xcafe_babe, direction: .outbound) == nil)
    }

    /// Revoking the key wipes the engine (contexts freed, keys wiped): every later call throws.
    @Test func revocationWipesTheEngine() throws {
        let sender = try TestSession(.aesCM128HMACSHA1_80)
        var packet = TestPackets.rtp
        try sender.session.protectRTP(&packet)
        sender.store.revoke(sender.handle)
        packet = TestPackets.rtp
        #expect(throws: SRTPError.keyRevoked) { try sender.session.protectRTP(&packet) }
        #expect(packet == TestPackets.rtp)
        #expect(throws: SRTPError.keyRevoked) { try sender.session.protectRTCP(&packet) }
    }

    @Test func engineWipeIsIdempotentAndRefusesWork() throws {
        let engine = try TestBytes.hex("000102030405060708090a0b0c0d0e0f").withUnsafeBytes { key in
            try TestBytes.hex("0102030405060708090a0b0c0d0e").withUnsafeBytes { salt in
                try OpenSSLEngine(
                    configuration: .init(profile: .aesCM128HMACSHA1_80),
                    keys: .master(key: key, salt: salt))
            }
        }
        engine.wipe()
        engine.wipe()
        var bytes = TestPackets.rtp + [UInt8](repeating: 0, count: 10)
        let header = try bytes.withUnsafeBytes { buffer in
            try Result { () throws(SRTPError) in
                try RTPHeader(parsing: buffer, length: TestPackets.rtp.count)
            }.get()
        }
        #expect(throws: SRTPError.keyRevoked) {
            try bytes.withUnsafeMutableBytes { buffer in
                try Result { () throws(SRTPError) in
                    try engine.protectRTP(buffer, length: TestPackets.rtp.count, header: header)
                }.get()
            }
        }
    }

    @Test func sessionKeyInitValidatesItsInput() {
        #expect(throws: SRTPError.self) {
            try SRTPSession(
                sessionEncryptionKey: [UInt8](repeating: 0, count: 15),
                sessionSalt: [UInt8](repeating: 0, count: 12), sessionAuthenticationKey: [],
                configuration: .init(profile: .aeadAES128GCM))
        }
        #expect(throws: SRTPError.self) {
            try SRTPSession(
                sessionEncryptionKey: [UInt8](repeating: 0, count: 16),
                sessionSalt: [UInt8](repeating: 0, count: 14), sessionAuthenticationKey: [],
                configuration: .init(profile: .aesCM128HMACSHA1_80))
        }
        #expect(throws: SRTPError.self) {
            try SRTPSession(
                sessionEncryptionKey: [UInt8](repeating: 0, count: 16),
                sessionSalt: [UInt8](repeating: 0, count: 12), sessionAuthenticationKey: [],
                configuration: .init(profile: .aeadAES128GCM, engine: .libsrtp2))
        }
    }
}
