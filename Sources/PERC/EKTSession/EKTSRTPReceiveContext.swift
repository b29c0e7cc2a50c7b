/// Single SRTP receive keying for EKT: each SSRC gets an `SRTPSession` on the OpenSSL engine,
/// keyed from the unwrapped master key and the first `masterSaltLength` octets of its EKT key's
/// salt (RFC 8870 §4.3.2 step 4), both held by the store.
struct EKTSRTPReceiveKeying: EKTReceiveKeying {
    let configuration: SRTPSession.Configuration

    var masterKeyLength: Int { configuration.profile.masterKeyLength }

    func makeContext(from key: UnwrappedSRTPKey, store: KeyStore, scope: KeyScope)
        throws(EKTReceiveFailure<SRTPError>) -> EKTSRTPReceiveContext
    {
        let handle: KeyHandle
        do {
            handle = try store.importSRTPMasterKey(key, for: configuration.profile, scope: scope)
        } catch {
            throw .ekt(error)
        }
        do {
            // The session registers with the store as the key's dependent: revoking the key or
            // ending the conference wipes it.
            let session = try withEKTSessionErrors {
                try SRTPSession(key: handle, in: store, configuration: configuration)
            }
            return EKTSRTPReceiveContext(session: session, key: handle, store: store)
        } catch {
            store.revoke(handle)
            throw error.receiveFailure
        }
    }
}

/// An `SRTPSession` keyed from a master key learned through EKT, and that key.
final class EKTSRTPReceiveContext: EKTReceiveContext, Sendable {
    typealias Failure = SRTPError

    let session: SRTPSession
    private let key: KeyHandle
    private let store: KeyStore

    init(session: SRTPSession, key: KeyHandle, store: KeyStore) {
        self.session = session
        self.key = key
        self.store = store
    }

    static func ssrc(ofRTP packet: UnsafeRawBufferPointer, length: Int) throws(SRTPError)
        -> UInt32
    {
        try RTPHeader(parsing: packet, length: length).ssrc
    }

    static func trialFailure(_ failure: SRTPError) -> EKTTrialFailure? {
        switch failure {
        case .authenticationFailed: .authentication
        case .replayed: .replay
        default: nil
        }
    }

    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError)
        -> Int
    {
        try session.unprotectRTP(packet, length: length)
    }

    func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError)
        -> Int
    {
        try session.unprotectRTCP(packet, length: length)
    }

    func continueStream(
        _ ssrc: UInt32, from current: EKTSRTPReceiveContext?, roc: UInt32?,
        packet: UnsafeRawBufferPointer, length: Int
    ) throws(SRTPError) {
        let header = try RTPHeader(parsing: packet, length: length)
        try session.continueInboundRTP(
            ssrc: ssrc, sequence: header.sequenceNumber, from: current?.session, roc: roc)
    }

    func rolloverCounter(ssrc: UInt32) -> UInt32? {
        try? session.rolloverCounter(ssrc: ssrc, direction: .inbound)
    }

    func discard() {
        store.revoke(key)
    }
}

extension EKTReceiverCore where Keying == EKTSRTPReceiveKeying {
    /// SRTCP from a sender, under the master key learned for its SSRC (no EKT tag on SRTCP).
    mutating func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, now: UInt64)
        throws(EKTReceiveFailure<SRTPError>) -> Int
    {
        retireOlderEKTKeys(now: now)
        let ssrc: UInt32
        do {
            ssrc = try RTCPHeader(parsing: UnsafeRawBufferPointer(packet), length: length).ssrc
        } catch {
            throw .transform(error)
        }
        guard let state = streams[ssrc] else { throw .noKey(ssrc: ssrc) }
        do {
            return try state.installed.context.unprotectRTCP(packet, length: length)
        } catch {
            throw .transform(error)
        }
    }
}

extension SRTPSession {
    /// Makes the inbound stream `ssrc` of this session continue the same stream of `previous`
    /// for a packet with SEQ `sequence` (see `EKTReceiveContext.continueStream`): it takes
    /// `previous`'s RTP index and replay history, restarts the index at `roc` if given
    /// (RFC 3711 §3.3.1), and the packet's index must be ahead of the highest `previous` has seen
    /// (`.replayed` otherwise; nothing changes then). The SRTCP replay history is not carried: the
    /// SRTCP index restarts with every master key (RFC 3711 §3.4).
    ///
    /// Both sessions must run on the OpenSSL engine (`.unsupported` otherwise).
    func continueInboundRTP(
        ssrc: UInt32, sequence: UInt16, from previous: SRTPSession?, roc: UInt32?
    ) throws(SRTPError) {
        let inherited = try previous?.withEngine { engine throws(SRTPError) in
            try Self.openSSL(engine).inbound[ssrc].map { ($0.rtpIndex, $0.receivedRTP) }
        }
        var index = inherited?.0 ?? RolloverEstimator()
        if let roc { index.reset(roc: roc) }
        if let seen = inherited?.0, let highestSequence = seen.highestSequence {
            let highest = UInt64(seen.roc) << 16 | UInt64(highestSequence)
            guard let estimate = index.estimate(sequence), estimate.index > highest else {
                throw .replayed
            }
        }
        try withEngine { engine throws(SRTPError) in
            let stream = try Self.openSSL(engine).inboundStream(ssrc)
            stream.rtpIndex = index
            if let (_, window) = inherited { stream.receivedRTP = window }
        }
    }

    private static func openSSL(_ engine: any SRTPEngine) throws(SRTPError) -> OpenSSLEngine {
        guard let engine = engine as? OpenSSLEngine else {
            throw .unsupported("EKT receive sessions run on the OpenSSL engine")
        }
        return engine
    }
}
