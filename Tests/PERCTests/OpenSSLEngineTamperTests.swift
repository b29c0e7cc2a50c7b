import Testing

@_spi(Conformance) @testable import PERC

/// Every truncation and every single-bit flip of a protected packet is rejected with the right
/// error class, leaves the caller's buffer byte-identical and changes no state: afterwards the
/// untouched packet still unprotects (so no replay bit, ROC or stream was recorded).
@Suite struct OpenSSLEngineTamperTests {
    enum Kind: Sendable { case rtp, rtcp }

    struct Mode: Sendable, CustomTestStringConvertible {
        let profile: SRTPProfile
        let kind: Kind
        let encrypt: Bool
        let mki: [UInt8]?
        var testDescription: String {
            "\(profile) \(kind) \(encrypt ? "encrypt" : "auth-only") \(mki == nil ? "" : "MKI")"
        }
    }

    static let modes: [Mode] = SRTPProfile.allCases.flatMap { profile in
        [Kind.rtp, .rtcp].flatMap { kind in
            [true, false].flatMap { encrypt in
                [nil, [0xa1, 0xa2, 0xa3]].map {
                    Mode(profile: profile, kind: kind, encrypt: encrypt, mki: $0)
                }
            }
        }
    }

    private func unprotect(_ session: SRTPSession, _ kind: Kind, _ packet: inout [UInt8]) throws {
        switch kind {
        case .rtp: try session.unprotectRTP(&packet)
        case .rtcp: try session.unprotectRTCP(&packet)
        }
    }

    /// Where the MKI sits in a protected packet of `count` octets.
    private func mkiRange(_ mode: Mode, count: Int) -> Range<Int> {
        guard let mki = mode.mki else { return 0..<0 }
        let end: Int
        switch (mode.kind, mode.profile.isAEAD) {
        case (_, true): end = count  // RFC 7714 / libsrtp: after the AEAD output
        case (.rtp, false): end = count - mode.profile.rtpTagLength  // RFC 3711 §3.1
        case (.rtcp, false): end = count - mode.profile.rtcpTagLength  // RFC 3711 §3.4
        }
        return end - mki.count..<end
    }

    @Test(arguments: modes)
    func everyTruncationAndBitFlipIsRejected(_ mode: Mode) throws {
        let configuration = (encryptRTP: mode.encrypt, encryptRTCP: mode.encrypt, mki: mode.mki)
        let sender = try TestSession(
            mode.profile, encryptRTP: configuration.encryptRTP,
            encryptRTCP: configuration.encryptRTCP, mki: configuration.mki)
        let receiver = try TestSession(
            mode.profile, encryptRTP: configuration.encryptRTP,
            encryptRTCP: configuration.encryptRTCP, mki: configuration.mki)
        let plaintext = mode.kind == .rtp ? TestPackets.rtp : TestPackets.rtcp
        var protected = plaintext
        switch mode.kind {
        case .rtp: try sender.session.protectRTP(&protected)
        case .rtcp: try sender.session.protectRTCP(&protected)
        }

        for length in 0..<protected.count {
            var packet = Array(protected[..<length])
            do {
                try unprotect(receiver.session, mode.kind, &packet)
                Issue.record("truncation to \(length) octets accepted")
            } catch let error as SRTPError {
                switch error {
                case .malformed, .authenticationFailed: break
                default: Issue.record("truncation to \(length): unexpected \(error)")
                }
            }
            #expect(packet == Array(protected[..<length]), "truncation to \(length) wrote")
        }

        let mkiOctets = mkiRange(mode, count: protected.count)
        for position in protected.indices {
            for bit in 0..<8 {
                var packet = protected
                packet[position] ^= 1 << bit
                let tampered = packet
                do {
                    try unprotect(receiver.session, mode.kind, &packet)
                    Issue.record("flip of bit \(bit) at \(position) accepted")
                } catch let error as SRTPError {
                    if mkiOctets.contains(position) {
                        #expect(error == .malformed(.unknownMKI), "MKI octet \(position)")
                    } else if position == 0 {
                        // V, P, X, CC (RTP) / V, P, RC (RTCP): parse errors or a bad tag.
                        switch error {
                        case .malformed(let reason): #expect(reason != .unknownMKI)
                        case .authenticationFailed: break
                        default: Issue.record("flip at 0: unexpected \(error)")
                        }
                    } else {
                        #expect(error == .authenticationFailed, "flip of bit \(bit) at \(position)")
                    }
                }
                #expect(packet == tampered, "flip of bit \(bit) at \(position) changed the buffer")
            }
        }

        #expect(
            try receiver.session.rolloverCounter(ssrc: 0xcafe_babe, direction: .inbound) == nil)
        var packet = protected
        try unprotect(receiver.session, mode.kind, &packet)
        #expect(packet == plaintext)
    }

    /// OpenSSL decrypts GCM in place before the tag is checked; on a bad tag the engine restores
    /// the ciphertext (RFC 7714 §5.3: no unauthenticated plaintext is released). Checked on the
    /// raw-buffer API, including the spare capacity behind the packet.
    @Test(arguments: [SRTPProfile.aeadAES128GCM, .aeadAES256GCM])
    func gcmTagFailureRestoresTheCiphertext(_ profile: SRTPProfile) throws {
        let sender = try TestSession(profile)
        let receiver = try TestSession(profile)
        for kind in [Kind.rtp, .rtcp] {
            var packet = kind == .rtp ? TestPackets.rtp : TestPackets.rtcp
            switch kind {
            case .rtp: try sender.session.protectRTP(&packet)
            case .rtcp: try sender.session.protectRTCP(&packet)
            }
            let tagOffset = kind == .rtp ? packet.count - 16 : packet.count - 20
            packet[tagOffset] ^= 0x80
            let length = packet.count
            var buffer = packet + [0x5a, 0x5a, 0x5a, 0x5a]
            let before = buffer
            #expect(throws: SRTPError.authenticationFailed) {
                try buffer.withUnsafeMutableBytes { raw in
                    try Result { () throws(SRTPError) in
                        switch kind {
                        case .rtp: _ = try receiver.session.unprotectRTP(raw, length: length)
                        case .rtcp: _ = try receiver.session.unprotectRTCP(raw, length: length)
                        }
                    }.get()
                }
            }
            #expect(buffer == before)
        }
    }
}
