internal import CPERCShims

/// The library's own SRTP/SRTCP on OpenSSL EVP: the default engine and the hot path.
///
/// - Keys: session keys are derived once, here (RFC 3711 §4.3 with KDR 0), and keyed into four
///   contexts (SRTP seal/open, SRTCP seal/open) whose key schedules and HMAC states are computed
///   once. The master key is only read; every temporary copy of key material is wiped.
/// - Streams: one per SSRC and direction (RFC 3711 §3.2.1: each SSRC keeps its own ROC, replay
///   list and SRTCP index). Outbound streams appear on their first protected packet, inbound ones
///   only once their first packet authenticated, or when a ROC is set for them.
/// - Failures: every check runs before the first write to the packet, and state is committed only
///   after the cryptography succeeded, so a thrown error leaves buffer and state untouched.
/// - Per packet: one dictionary lookup, one or two C calls, no allocation.
final class OpenSSLEngine: SRTPEngine, @unchecked Sendable {
    let profile: SRTPProfile
    let encryptRTP: Bool
    /// E bit for SRTCP we send (RFC 3711 §3.4). Never set for the NULL cipher, which cannot
    /// encrypt (libsrtp's NULL policies send E = 0 too).
    let encryptRTCP: Bool
    /// The MKI written on every packet and required on every received one; empty for none.
    let mki: [UInt8]
    let replayWindowSize: Int
    let rtpTagLength: Int
    let rtcpTagLength: Int

    /// nil once wiped.
    private var srtpKeys: OpenSSLCryptoContextPair?
    private var srtcpKeys: OpenSSLCryptoContextPair?

    var outbound: [UInt32: OutboundStream] = [:]
    var inbound: [UInt32: InboundStream] = [:]

    init(configuration: SRTPSession.Configuration, keys: SessionKeying) throws(SRTPError) {
        try configuration.validate()
        let profile = configuration.profile
        self.profile = profile
        encryptRTP = configuration.encryptRTP && profile.cipher != .null
        encryptRTCP = configuration.encryptRTCP && profile.cipher != .null
        mki = configuration.mki ?? []
        replayWindowSize = configuration.replayWindow
        rtpTagLength = profile.rtpTagLength
        rtcpTagLength = profile.rtcpTagLength
        switch keys {
        case .master(let key, let salt):
            (srtpKeys, srtcpKeys) = try Self.deriveContexts(
                profile, masterKey: key, masterSalt: salt)
        case .session(let encryption, let salt, let authentication):
            try Self.checkSessionKeys(profile, encryption, salt, authentication)
            let srtp = try OpenSSLCryptoContextPair(
                cipher: profile.cipher, encryptionKey: encryption, salt: salt,
                authenticationKey: authentication)
            do {
                srtcpKeys = try OpenSSLCryptoContextPair(
                    cipher: profile.cipher, encryptionKey: encryption, salt: salt,
                    authenticationKey: authentication)
            } catch {
                srtp.free()
                throw error
            }
            srtpKeys = srtp
        }
    }

    deinit { wipe() }

    func wipe() {
        srtpKeys?.free()
        srtcpKeys?.free()
        srtpKeys = nil
        srtcpKeys = nil
        outbound = [:]
        inbound = [:]
    }

    // MARK: Keying

    /// The SRTP (labels 0–2) and SRTCP (labels 3–5) label sets (RFC 3711 §4.3.2): encryption,
    /// authentication, salt.
    typealias LabelSet = (
        encryption: SRTPKeyDerivation.Label, authentication: SRTPKeyDerivation.Label,
        salt: SRTPKeyDerivation.Label
    )
    static let srtpLabels: LabelSet = (.rtpEncryption, .rtpAuthentication, .rtpSalt)
    static let srtcpLabels: LabelSet = (.rtcpEncryption, .rtcpAuthentication, .rtcpSalt)

    /// Keys the SRTP and SRTCP contexts from a master key and salt.
    private static func deriveContexts(
        _ profile: SRTPProfile, masterKey: UnsafeRawBufferPointer,
        masterSalt: UnsafeRawBufferPointer
    ) throws(SRTPError) -> (OpenSSLCryptoContextPair, OpenSSLCryptoContextPair) {
        func contexts(_ labels: LabelSet) throws(SRTPError) -> OpenSSLCryptoContextPair {
            try withSessionKeys(profile, masterKey: masterKey, masterSalt: masterSalt, labels) {
                key, salt, auth throws(SRTPError) in
                try OpenSSLCryptoContextPair(
                    cipher: profile.cipher, encryptionKey: key, salt: salt, authenticationKey: auth)
            }
        }
        let srtp = try contexts(srtpLabels)
        do {
            return (srtp, try contexts(srtcpLabels))
        } catch {
            srtp.free()
            throw error
        }
    }

    /// Derives the session keys of `labels` (RFC 3711 §4.3.2, KDR 0) into a scratch buffer, runs
    /// `body` with them (encryption key, salt, authentication key; the keys a profile does not use
    /// are empty) and wipes the scratch buffer. Also keys the layers of double SRTP (RFC 8723
    /// §3.1), which derive each half on its own.
    static func withSessionKeys<R>(
        _ profile: SRTPProfile, masterKey: UnsafeRawBufferPointer,
        masterSalt: UnsafeRawBufferPointer, _ labels: LabelSet,
        _ body: (
            _ key: UnsafeRawBufferPointer, _ salt: UnsafeRawBufferPointer,
            _ auth: UnsafeRawBufferPointer
        ) throws(SRTPError) -> R
    ) throws(SRTPError) -> R {
        guard masterKey.count == profile.masterKeyLength,
            masterSalt.count == profile.masterSaltLength
        else { throw .invalidArgument("master key or salt length does not fit \(profile)") }
        // NULL: the cipher has no key (n_e = 0); it keeps its salt only for a uniform layout.
        let keyLength = profile.cipher == .null ? 0 : profile.sessionKeyLength
        let saltLength = profile.sessionSaltLength
        let authLength = profile.sessionAuthKeyLength
        let scratch = UnsafeMutableRawBufferPointer.allocate(
            byteCount: keyLength + saltLength + authLength, alignment: 16)
        defer {
            perc_wipe(scratch.baseAddress, scratch.count)
            scratch.deallocate()
        }
        let key = UnsafeMutableRawBufferPointer(rebasing: scratch[..<keyLength])
        let salt = UnsafeMutableRawBufferPointer(
            rebasing: scratch[keyLength..<keyLength + saltLength])
        let auth = UnsafeMutableRawBufferPointer(rebasing: scratch[(keyLength + saltLength)...])
        for (label, output) in [
            (labels.encryption, key), (labels.authentication, auth), (labels.salt, salt),
        ] where output.count > 0 {
            try SRTPKeyDerivation.derive(
                masterKey: masterKey, masterSalt: masterSalt, label: label.rawValue, into: output)
        }
        return try body(
            UnsafeRawBufferPointer(key), UnsafeRawBufferPointer(salt),
            UnsafeRawBufferPointer(auth))
    }

    private static func checkSessionKeys(
        _ profile: SRTPProfile, _ encryption: UnsafeRawBufferPointer,
        _ salt: UnsafeRawBufferPointer, _ authentication: UnsafeRawBufferPointer
    ) throws(SRTPError) {
        guard profile.cipher == .null || encryption.count == profile.sessionKeyLength else {
            throw .invalidArgument("session key must be \(profile.sessionKeyLength) octets")
        }
        guard salt.count == profile.sessionSaltLength else {
            throw .invalidArgument("session salt must be \(profile.sessionSaltLength) octets")
        }
        guard authentication.count == profile.sessionAuthKeyLength else {
            throw .invalidArgument(
                "session authentication key must be \(profile.sessionAuthKeyLength) octets")
        }
    }

    /// The SRTP contexts, or `.keyRevoked` once wiped.
    @inline(__always) var srtp: OpenSSLCryptoContextPair {
        get throws(SRTPError) {
            guard let srtpKeys else { throw .keyRevoked }
            return srtpKeys
        }
    }

    /// The SRTCP contexts, or `.keyRevoked` once wiped.
    @inline(__always) var srtcp: OpenSSLCryptoContextPair {
        get throws(SRTPError) {
            guard let srtcpKeys else { throw .keyRevoked }
            return srtcpKeys
        }
    }

    // MARK: Streams

    func rolloverCounter(ssrc: UInt32, direction: StreamDirection) -> UInt32? {
        switch direction {
        case .outbound: outbound[ssrc]?.rtpIndex.roc
        case .inbound: inbound[ssrc]?.rtpIndex.roc
        }
    }

    /// Sets the ROC and clears s_l, so the next packet's SEQ starts the stream again (RFC 3711
    /// §3.3.1, late join). The replay window keeps what it has seen.
    func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, direction: StreamDirection)
        throws(SRTPError)
    {
        switch direction {
        case .outbound: outboundStream(ssrc).rtpIndex.reset(roc: roc)
        case .inbound: inboundStream(ssrc).rtpIndex.reset(roc: roc)
        }
    }

    /// Sets the SRTCP index the next RTCP packet sent for `ssrc` carries: for known-answer vectors
    /// and tests. 2^31 marks the index space exhausted.
    func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32) throws(SRTPError) {
        guard index <= OutboundStream.srtcpIndexLimit else {
            throw .invalidArgument("SRTCP index beyond 2^31")
        }
        outboundStream(ssrc).nextSRTCPIndex = index
    }

    func outboundStream(_ ssrc: UInt32) -> OutboundStream {
        if let stream = outbound[ssrc] { return stream }
        let stream = OutboundStream(replayWindow: replayWindowSize)
        outbound[ssrc] = stream
        return stream
    }

    func inboundStream(_ ssrc: UInt32) -> InboundStream {
        if let stream = inbound[ssrc] { return stream }
        let stream = InboundStream(replayWindow: replayWindowSize)
        inbound[ssrc] = stream
        return stream
    }

    // MARK: Shared packet steps

    /// RFC 3711 §3.3.2: replayed and too-old indices are discarded.
    @inline(__always)
    static func admit(_ verdict: ReplayWindow.Verdict) throws(SRTPError) {
        switch verdict {
        case .fresh: return
        case .replayed: throw .replayed
        case .tooOld: throw .tooOld
        }
    }

    /// Writes the MKI at `offset` (RFC 3711 §3.1).
    @inline(__always)
    func writeMKI(_ packet: UnsafeMutableRawBufferPointer, at offset: Int) {
        for i in mki.indices { packet[offset + i] = mki[i] }
    }

    /// Checks the MKI at `offset` against the session's (RFC 3711 §3.3 step 3). The MKI is public,
    /// so a plain comparison is fine.
    @inline(__always)
    func checkMKI(_ packet: UnsafeMutableRawBufferPointer, at offset: Int) throws(SRTPError) {
        for i in mki.indices where packet[offset + i] != mki[i] {
            throw .malformed(.unknownMKI)
        }
    }
}

/// Per-SSRC state of a stream the session sends (RFC 3711 §3.2.1).
final class OutboundStream {
    /// One past the largest SRTCP index (RFC 3711 §3.4: 31 bits).
    static let srtcpIndexLimit: UInt32 = 1 << 31

    /// ROC and highest SEQ sent: the sender estimates each index from SEQ as a receiver would.
    var rtpIndex = RolloverEstimator()
    /// Indices already sent, so none is protected twice (keystream reuse).
    var sentRTP: ReplayWindow
    /// The SRTCP index of the next packet: 0 first, +1 per packet (RFC 3711 §3.4).
    var nextSRTCPIndex: UInt32 = 0

    init(replayWindow: Int) {
        sentRTP = ReplayWindow(size: replayWindow)
    }
}

/// Per-SSRC state of a stream the session receives (RFC 3711 §3.2.1, §3.3.1, §3.3.2).
final class InboundStream {
    var rtpIndex = RolloverEstimator()
    var receivedRTP: ReplayWindow
    /// SRTCP has its own replay list over the explicit 31-bit index (RFC 3711 §3.4).
    var receivedRTCP: ReplayWindow

    init(replayWindow: Int) {
        receivedRTP = ReplayWindow(size: replayWindow)
        receivedRTCP = ReplayWindow(size: replayWindow)
    }
}
