import PERC

/// Which transform a target feeds.
public enum PacketKind: Sendable {
    case rtp
    case rtcp
}

/// Feeds untrusted packets to a receiving session and checks the library's contract for a
/// receiver (`checkReceive`; RFC 3711 §3.3 runs every check before any state changes):
/// - whatever the outcome, nothing is written behind the packet;
/// - a rejected packet throws an expected `SRTPError`, leaves the buffer byte-identical, and
///   leaves the session unchanged: the ROC of the packet's SSRC and of a probe stream are as
///   before, and the next packet of the probe stream (SEQ or SRTCP index + 1) still unprotects
///   to its plaintext, so no replay-window bit or index was committed;
/// - an accepted packet shrinks by exactly the session's overhead.
///
/// One checker per configuration, created on first use and kept: the probe stream runs on across
/// inputs.
public final class UnprotectChecker {
    /// The probe stream's SSRC. No vector uses it, so no seed authenticates on it.
    public static let probeSSRC: UInt32 = 0x0BAD_F00D
    let kind: PacketKind
    let sender: SRTPSession
    let receiver: SRTPSession
    /// Probe packets sent and received so far; the next probe's SEQ is its low 16 bits.
    private var probes: UInt32 = 0

    nonisolated(unsafe) private static var checkers: [CheckerKey: UnprotectChecker?] = [:]

    private struct CheckerKey: Hashable {
        let selector: SessionSelector
        let engine: SRTPEngineKind
        let kind: PacketKind
    }

    /// The checker for a selector octet: target bits 3 select libsrtp2, anything else OpenSSL.
    /// nil when libsrtp2 cannot express the configuration.
    public static func checker(selector octet: UInt8, kind: PacketKind) -> UnprotectChecker? {
        let selector = SessionSelector(octet)
        let engine: SRTPEngineKind = selector.targetBits == 3 ? .libsrtp2 : .openSSL
        let key = CheckerKey(
            selector: SessionSelector(octet & 0x3F), engine: engine, kind: kind)
        if let checker = checkers[key] { return checker }
        let configuration = selector.configuration(engine: engine)
        var checker: UnprotectChecker?
        if let sender = FuzzSessions.make(configuration),
            let receiver = FuzzSessions.make(configuration)
        {
            checker = UnprotectChecker(kind: kind, sender: sender, receiver: receiver)
        }
        checkers[key] = checker
        return checker
    }

    init(kind: PacketKind, sender: SRTPSession, receiver: SRTPSession) {
        self.kind = kind
        self.sender = sender
        self.receiver = receiver
    }

    private var overhead: Int {
        kind == .rtp ? receiver.maxRTPOverhead : receiver.maxRTCPOverhead
    }

    /// The SSRC field of `packet`, if it is long enough to have one.
    private func ssrc(of packet: UnsafeRawBufferPointer) -> UInt32? {
        switch kind {
        case .rtp: packet.count >= 12 ? packet.bigEndian(at: 8, octets: 4) : nil
        case .rtcp: packet.count >= 8 ? packet.bigEndian(at: 4, octets: 4) : nil
        }
    }

    private func roc(_ ssrc: UInt32?) -> UInt32? {
        guard let ssrc else { return nil }
        do {
            return try receiver.rolloverCounter(ssrc: ssrc, direction: .inbound)
        } catch {
            fatalError("rolloverCounter threw \(error)")
        }
    }

    /// Unprotects `packet` and checks the invariants, then runs the probe.
    public func check(_ packet: UnsafeRawBufferPointer) {
        let packetSSRC = ssrc(of: packet)
        let outcome = checkReceive(packet, snapshot: { [roc(packetSSRC), roc(Self.probeSSRC)] }) {
            (buffer, length) throws(SRTPError) -> Int in
            switch kind {
            case .rtp: try receiver.unprotectRTP(buffer, length: length)
            case .rtcp: try receiver.unprotectRTCP(buffer, length: length)
            }
        }
        switch outcome {
        case .success(let length):
            fuzzCheck(
                length == packet.count - overhead,
                "accepted \(packet.count) octets, returned \(length), overhead \(overhead)")
        case .failure(let error):
            fuzzCheck(Self.isExpectedRejection(error), "unexpected rejection \(error)")
        }
        probe()
    }

    /// Errors an unprotect may throw for a packet from the wire.
    static func isExpectedRejection(_ error: SRTPError) -> Bool {
        switch error {
        case .malformed, .authenticationFailed, .replayed, .tooOld, .indexExhausted: true
        // libsrtp2 (NSS) GCM takes at most 2048 octets of AAD.
        case .unsupported: true
        case .bufferTooSmall, .keyRevoked, .keyExpired, .invalidArgument, .underlying: false
        }
    }

    /// Sends the probe stream's next packet and requires it to unprotect to its plaintext with
    /// the expected ROC.
    private func probe() {
        let sequence = UInt16(truncatingIfNeeded: probes)
        let plaintext: [UInt8]
        switch kind {
        case .rtp:
            // V=2, PT 96, SEQ, timestamp, SSRC, 20 octets of payload.
            plaintext =
                [0x80, 0x60, UInt8(sequence >> 8), UInt8(sequence & 0xFF)]
                + bigEndianOctets(probes) + bigEndianOctets(Self.probeSSRC)
                + [UInt8](repeating: 0x50, count: 20)
        case .rtcp:
            // A sender report: V=2, PT 200, length 6 words, SSRC, 20 octets of sender info.
            plaintext =
                [0x80, 0xC8, 0x00, 0x06] + bigEndianOctets(Self.probeSSRC) + bigEndianOctets(probes)
                + [UInt8](repeating: 0x52, count: 16)
        }
        var packet = plaintext
        do {
            switch kind {
            case .rtp:
                try sender.protectRTP(&packet)
                try receiver.unprotectRTP(&packet)
            case .rtcp:
                try sender.protectRTCP(&packet)
                try receiver.unprotectRTCP(&packet)
            }
        } catch {
            fatalError("probe \(probes) of SSRC \(Self.probeSSRC) failed after the input: \(error)")
        }
        fuzzCheck(packet == plaintext, "probe \(probes) did not round-trip")
        if kind == .rtp {
            fuzzCheck(roc(Self.probeSSRC) == probes >> 16, "probe \(probes) ROC")
        }
        probes += 1
    }
}
