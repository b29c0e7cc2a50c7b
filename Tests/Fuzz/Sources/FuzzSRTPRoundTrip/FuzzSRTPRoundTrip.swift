import FuzzSupport
@_spi(Conformance) import PERC

/// Protect then unprotect must give back exactly the plaintext, for every profile and mode; with
/// the cross-check bit, libsrtp2 must produce the same bytes as the OpenSSL engine and both
/// receivers must restore the plaintext.
///
/// Input: selector octet (`SessionSelector`; target bit 6: RTCP instead of RTP; target bit 7:
/// cross-check with libsrtp2) ‖ the plaintext packet. The harness makes the input a packet of
/// its stream: V=2, its SSRC, and for RTP the stream's next SEQ (a sender refuses a SEQ twice).
/// Inputs the library refuses to protect as malformed (RTP padding or a header past the end) are
/// skipped; any other refusal is a failure.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTPRoundTrip(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, packet) = FuzzInput(data, size).selectorAndBody,
        let roundTrip = RoundTrip.forSelector(selector)
    else { return 0 }
    roundTrip.check(packet)
    return 0
}

final class RoundTrip {
    /// The SSRC of every round-tripped packet.
    static let ssrc: UInt32 = 0x600D_F00D
    /// Packets longer than this skip the cross-check stream: libsrtp2 (NSS) GCM takes at most
    /// 2048 octets of AAD (the whole packet plus the SRTCP index word when unencrypted).
    static let crossCheckLimit = 2000

    struct Pair {
        let sender: SRTPSession
        let receiver: SRTPSession
    }

    let kind: PacketKind
    let openSSL: Pair
    let libsrtp2: Pair?
    /// The next RTP SEQ; both senders see the same sequence.
    private var sequence: UInt16 = 0

    nonisolated(unsafe) private static var all: [UInt8: RoundTrip?] = [:]

    /// The round trip for a selector octet; nil when the cross-check was asked for a mode
    /// libsrtp2 cannot express.
    static func forSelector(_ octet: UInt8) -> RoundTrip? {
        let selector = SessionSelector(octet)
        let key = octet & 0xF0 | UInt8(SRTPProfile.allCases.firstIndex(of: selector.profile)!)
        if let roundTrip = all[key] { return roundTrip }
        let kind: PacketKind = selector.targetBits & 1 == 0 ? .rtp : .rtcp
        var roundTrip: RoundTrip?
        if let openSSL = pair(selector.configuration(engine: .openSSL)) {
            if selector.targetBits & 2 == 0 {
                roundTrip = RoundTrip(kind: kind, openSSL: openSSL, libsrtp2: nil)
            } else if let libsrtp2 = pair(selector.configuration(engine: .libsrtp2)) {
                roundTrip = RoundTrip(kind: kind, openSSL: openSSL, libsrtp2: libsrtp2)
            }
        }
        all[key] = roundTrip
        return roundTrip
    }

    private static func pair(_ configuration: SRTPSession.Configuration) -> Pair? {
        guard let sender = FuzzSessions.make(configuration),
            let receiver = FuzzSessions.make(configuration)
        else { return nil }
        return Pair(sender: sender, receiver: receiver)
    }

    init(kind: PacketKind, openSSL: Pair, libsrtp2: Pair?) {
        self.kind = kind
        self.openSSL = openSSL
        self.libsrtp2 = libsrtp2
        if kind == .rtcp, libsrtp2 != nil {
            // libsrtp2 numbers a stream's SRTCP from 1 (RFC 3711 §3.4 says 0); start the OpenSSL
            // sender there too so both produce the same packets.
            do {
                try openSSL.sender.setNextSRTCPIndex(1, ssrc: Self.ssrc)
            } catch {
                fatalError("setNextSRTCPIndex: \(error)")
            }
        }
    }

    func check(_ input: UnsafeRawBufferPointer) {
        guard input.count >= (kind == .rtp ? 12 : 8) else { return }
        if libsrtp2 != nil, input.count > Self.crossCheckLimit { return }
        var plaintext = Array(input)
        plaintext[0] = plaintext[0] & 0x3F | 0x80  // V=2
        switch kind {
        case .rtp:
            plaintext[2] = UInt8(sequence >> 8)
            plaintext[3] = UInt8(sequence & 0xFF)
            plaintext.replaceSubrange(8..<12, with: bigEndianOctets(Self.ssrc))
        case .rtcp:
            plaintext.replaceSubrange(4..<8, with: bigEndianOctets(Self.ssrc))
        }

        var protected = plaintext
        do {
            try protect(&protected, openSSL.sender)
        } catch .malformed {
            return
        } catch {
            fatalError("OpenSSL refused to protect a well-formed packet: \(error)")
        }
        if kind == .rtp { sequence &+= 1 }

        if let libsrtp2 {
            var reference = plaintext
            do {
                try protect(&reference, libsrtp2.sender)
            } catch {
                fatalError("libsrtp2 refused a packet OpenSSL protected: \(error)")
            }
            fuzzCheck(reference == protected, "the engines protected the packet differently")
        }

        for receiver in [openSSL.receiver, libsrtp2?.receiver].compactMap(\.self) {
            var packet = protected
            do {
                switch kind {
                case .rtp: try receiver.unprotectRTP(&packet)
                case .rtcp: try receiver.unprotectRTCP(&packet)
                }
            } catch {
                fatalError("\(receiver) refused a packet just protected: \(error)")
            }
            fuzzCheck(packet == plaintext, "\(receiver) did not restore the plaintext")
            if kind == .rtp {
                fuzzCheck(
                    rolloverCounter(receiver, .inbound)
                        == rolloverCounter(openSSL.sender, .outbound),
                    "\(receiver): receiver and sender ROC differ")
            }
        }
    }

    private func protect(_ packet: inout [UInt8], _ sender: SRTPSession) throws(SRTPError) {
        switch kind {
        case .rtp: try sender.protectRTP(&packet)
        case .rtcp: try sender.protectRTCP(&packet)
        }
    }

    private func rolloverCounter(_ session: SRTPSession, _ direction: StreamDirection) -> UInt32? {
        do {
            return try session.rolloverCounter(ssrc: Self.ssrc, direction: direction)
        } catch {
            fatalError("rolloverCounter: \(error)")
        }
    }
}
