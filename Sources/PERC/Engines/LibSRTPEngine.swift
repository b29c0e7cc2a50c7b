internal import CLibSRTP
internal import CPERCShims

/// The libsrtp2 reference engine: every packet goes through `srtp_protect*` / `srtp_unprotect*` of
/// Debian's libsrtp2 2.5 (built on NSS). Clarity over speed: each call works on a scratch copy.
///
/// Two libsrtp2 sessions: `outbound` has an `ssrc_any_outbound` template (a stream per SSRC is
/// cloned on its first protected packet), `inbound` an `ssrc_any_inbound` one (cloned once a
/// packet authenticates). Modes libsrtp2 cannot express exactly are refused in `init`, see
/// `checkExpressible`.
///
/// Behaviour to know when comparing with the OpenSSL engine:
/// - The first SRTCP packet of a stream carries index 1: libsrtp2 increments before it sends
///   (`srtp_rdb_increment`), where RFC 3711 §3.4 starts at 0. The last index sent is 2^31 − 1;
///   the next protect throws `.indexExhausted`.
/// - SRTCP replay protection uses libsrtp2's fixed 128-packet window; `replayWindow` sets the SRTP
///   window only.
/// - NULL profiles send SRTCP with the E flag clear, encryption settings notwithstanding: nothing
///   is encrypted (RFC 3711 §3.4), as libsrtp2's own NULL policy does.
/// - libsrtp2 refuses to protect an SRTP sequence number twice (`allow_repeat_tx` = 0):
///   `.replayed`, or `.tooOld` behind the window.
///
/// Key copies: `master` (below) holds master key ‖ salt for the engine's life because libsrtp2
/// derives the session keys again for every stream added with `srtp_add_stream` (a ROC set before
/// a stream's first packet). libsrtp2 holds the session keys in NSS key objects per stream, and
/// the SRTP/SRTCP salts in its stream contexts; `srtp_dealloc` (in `wipe`) frees them through
/// `PK11_FreeSymKey` / `PK11_DestroyContext` and zeroes its own contexts. The stack left behind by
/// key derivation is zeroed by the shim right after `srtp_create` / `srtp_add_stream`.
final class LibSRTPEngine: SRTPEngine, @unchecked Sendable {
    let configuration: SRTPSession.Configuration
    private let profile: perc_srtp_profile
    /// Master key ‖ master salt, for `srtp_add_stream`. Wiped in `wipe()`.
    private let master: SealedBytes
    private let mki: [UInt8]
    private var outbound: srtp_t?
    private var inbound: srtp_t?
    private(set) var senders: [UInt32: SenderIndex] = [:]
    /// ROCs installed on inbound streams that no packet has used yet (libsrtp2 reports the old
    /// ROC until then).
    private var inboundPendingROC: [UInt32: UInt32] = [:]
    /// Outbound SSRCs that have protected an SRTP or SRTCP packet.
    private var outboundInUse: Set<UInt32> = []
    /// Outbound SSRCs that have sent SRTCP: libsrtp2 numbers their SRTCP itself.
    private var rtcpSenders: Set<UInt32> = []
    private var scratch = Scratch()

    /// Throws `SRTPError`, or `KeyStoreError.memoryUnavailable` if guarded memory for the engine's
    /// copy of the master key cannot be mapped.
    init(configuration: SRTPSession.Configuration, keys: SessionKeying) throws {
        try Self.checkExpressible(configuration)
        guard case .master(let key, let salt) = keys else {
            throw SRTPError.unsupported(
                "session keys: libsrtp2 always derives them from a master key (RFC 3711 §4.3)")
        }
        let profile = configuration.profile
        guard key.count == profile.masterKeyLength, salt.count == profile.masterSaltLength else {
            throw SRTPError.invalidArgument("master key or salt length does not match \(profile)")
        }
        let initialised = perc_srtp_init_once()
        guard initialised == srtp_err_status_ok else { throw Self.underlyingError(initialised) }

        self.configuration = configuration
        self.profile = Self.shimProfile(profile)
        master = try SealedBytes(count: key.count + salt.count) { region in
            region.copyMemory(from: key)
            UnsafeMutableRawBufferPointer(rebasing: region[key.count...]).copyMemory(from: salt)
        }
        mki = configuration.mki ?? []
        do throws(SRTPError) {
            outbound = try createSession(outbound: true)
            inbound = try createSession(outbound: false)
        } catch {
            wipe()
            throw error
        }
    }

    deinit { wipe() }

    private var usesMKI: UInt32 { mki.isEmpty ? 0 : 1 }

    // MARK: Packets

    func protectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    {
        let session = try live(outbound)
        var sender = senders[header.ssrc] ?? SenderIndex()
        // RFC 3711 §3.3.1, §9.2: never more than 2^48 packets under one key.
        guard sender.index(of: header.sequenceNumber) < SenderIndex.limit else {
            throw .indexExhausted
        }
        try checkGCMAAD(header.length)  // RFC 7714 §8.2: AAD = the RTP header.
        let useMKI = usesMKI
        let protectedLength = try onScratch(
            packet, length: length, capacity: length + configuration.maxRTPOverhead
        ) { buffer, length in
            srtp_protect_mki(session, buffer, length, useMKI, 0)
        }
        sender.record(header.sequenceNumber)
        senders[header.ssrc] = sender
        outboundInUse.insert(header.ssrc)
        return protectedLength
    }

    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    {
        let session = try live(inbound)
        try checkGCMAAD(header.length)
        let useMKI = usesMKI
        let plain = try onScratch(packet, length: length, capacity: length) { buffer, length in
            srtp_unprotect_mki(session, buffer, length, useMKI)
        }
        inboundPendingROC[header.ssrc] = nil
        return plain
    }

    func protectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    {
        let session = try live(outbound)
        // RFC 7714 §9.3: unencrypted SRTCP authenticates the whole packet ‖ E‖index as AAD.
        if !configuration.encryptRTCP { try checkGCMAAD(length + 4) }
        let useMKI = usesMKI
        let protectedLength = try onScratch(
            packet, length: length, capacity: length + configuration.maxRTCPOverhead
        ) { buffer, length in
            srtp_protect_rtcp_mki(session, buffer, length, useMKI, 0)
        }
        outboundInUse.insert(header.ssrc)
        rtcpSenders.insert(header.ssrc)
        return protectedLength
    }

    /// libsrtp2 increments the SRTCP index before it sends, so a stream's first SRTCP packet
    /// carries index 1 (RFC 3711 §3.4 says 0); it has no call to choose the index.
    func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32) throws(SRTPError) {
        guard index == 1, !rtcpSenders.contains(ssrc) else {
            throw .unsupported("libsrtp2 numbers SRTCP itself; a new stream's first index is 1")
        }
    }

    func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    {
        let session = try live(inbound)
        // RFC 7714 §9.3: with the E flag clear the AAD is everything before the tag plus the
        // E‖index word.
        //   | RTCP compound | tag (16) | E‖index (4) | MKI |
        let trailer = length - mki.count - 4
        if configuration.profile.isAEAD, trailer >= RTCPHeader.clearLength,
            packet[trailer] & 0x80 == 0
        {
            try checkGCMAAD(trailer - configuration.profile.rtcpTagLength + 4)
        }
        let useMKI = usesMKI
        return try onScratch(packet, length: length, capacity: length) { buffer, length in
            srtp_unprotect_rtcp_mki(session, buffer, length, useMKI)
        }
    }

    /// Runs `call` on a scratch copy of the packet and copies the result back only on success,
    /// so a failure leaves `packet` untouched.
    private func onScratch(
        _ packet: UnsafeMutableRawBufferPointer, length: Int, capacity: Int,
        _ call: (UnsafeMutableRawPointer, UnsafeMutablePointer<Int32>) -> srtp_err_status_t
    ) throws(SRTPError) -> Int {
        guard let base = packet.baseAddress, length <= packet.count, capacity <= Int32.max else {
            throw .invalidArgument("packet length \(length) with capacity \(capacity)")
        }
        let working = scratch.reserve(capacity)
        working.copyMemory(from: base, byteCount: length)
        var resultLength = Int32(length)
        let status = call(working, &resultLength)
        guard status == srtp_err_status_ok else { throw Self.packetError(status) }
        let result = Int(resultLength)
        precondition((0...min(capacity, packet.count)).contains(result), "libsrtp2 length")
        base.copyMemory(from: working, byteCount: result)
        return result
    }

    // MARK: Streams

    func rolloverCounter(ssrc: UInt32, direction: StreamDirection) -> UInt32? {
        let pending =
            direction == .outbound ? senders[ssrc]?.pendingROC : inboundPendingROC[ssrc]
        if let pending { return pending }
        guard let session = direction == .outbound ? outbound : inbound else { return nil }
        var roc: UInt32 = 0
        guard srtp_get_stream_roc(session, ssrc, &roc) == srtp_err_status_ok else { return nil }
        return roc
    }

    /// Gives the stream ROC `roc` (RFC 3711 §3.3.1 late join: the next packet's SEQ becomes s_l).
    ///
    /// - No stream yet: one is added with `srtp_add_stream` (keyed again from `master`).
    /// - The stream already has `roc`: nothing changes, its replay state included.
    /// - An inbound stream with another ROC is removed and added afresh, so its SRTP and SRTCP
    ///   replay windows restart. libsrtp2's `srtp_set_stream_roc` alone only records a pending
    ///   ROC that is taken when the next index is more than 2^15 ahead; on a running stream it
    ///   can instead stay pinned and later reject every packet.
    /// - An outbound stream that has sent packets is refused: restarting it would restart its
    ///   SRTCP index at 1 and reuse keystream (RFC 3711 §9.1, RFC 7714 §9.4).
    func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, direction: StreamDirection)
        throws(SRTPError)
    {
        let session = try live(direction == .outbound ? outbound : inbound)
        if let current = rolloverCounter(ssrc: ssrc, direction: direction) {
            if current == roc { return }
            if direction == .outbound, outboundInUse.contains(ssrc) {
                throw .unsupported(
                    "changing the ROC of an outbound stream that has sent packets: libsrtp2 "
                        + "would restart its SRTCP index and reuse keystream")
            }
            let removed = perc_srtp_remove_stream(session, ssrc)
            guard removed == srtp_err_status_ok else { throw Self.underlyingError(removed) }
        }
        let added = try withKeying { keying in perc_srtp_add_stream(session, keying, ssrc) }
        guard added == srtp_err_status_ok else { throw Self.underlyingError(added) }
        if roc != 0 {
            // On the fresh stream (index 0) any ROC ≥ 1 is more than 2^15 ahead, so the next
            // packet takes it (srtp_estimate_index → srtp_err_status_pkt_idx_adv).
            let set = srtp_set_stream_roc(session, ssrc, roc)
            guard set == srtp_err_status_ok else { throw Self.underlyingError(set) }
        }
        switch direction {
        case .outbound: senders[ssrc] = .restarted(roc: roc)
        case .inbound: inboundPendingROC[ssrc] = roc == 0 ? nil : roc
        }
    }

    // MARK: Keys

    /// `srtp_create` for one direction, keyed from `master`.
    private func createSession(outbound: Bool) throws(SRTPError) -> srtp_t {
        var session: srtp_t?
        let status = try withKeying { keying in
            perc_srtp_create(&session, keying, outbound ? 1 : 0)
        }
        guard status == srtp_err_status_ok, let session else {
            throw Self.underlyingError(status)
        }
        return session
    }

    /// Runs `body` with the libsrtp2 keying (pointing into the sealed master key) for this
    /// engine's configuration.
    private func withKeying(
        _ body: (UnsafePointer<perc_srtp_keying>) -> srtp_err_status_t
    ) throws(SRTPError) -> srtp_err_status_t {
        do {
            return try master.withUnsealed { masterBytes in
                mki.withUnsafeBufferPointer { mkiBytes in
                    var keying = perc_srtp_keying(
                        profile: profile,
                        encrypt_rtp: configuration.encryptRTP ? 1 : 0,
                        encrypt_rtcp: configuration.encryptRTCP ? 1 : 0,
                        master: masterBytes.baseAddress!.assumingMemoryBound(to: UInt8.self),
                        master_length: masterBytes.count,
                        mki: mkiBytes.isEmpty ? nil : mkiBytes.baseAddress,
                        mki_length: mkiBytes.count,
                        window_size: UInt(configuration.replayWindow))
                    return body(&keying)
                }
            }
        } catch {
            throw .keyRevoked  // The master key was wiped.
        }
    }

    private func live(_ session: srtp_t?) throws(SRTPError) -> srtp_t {
        guard let session else { throw .keyRevoked }
        return session
    }

    /// Frees both libsrtp2 sessions (libsrtp2 zeroes its stream contexts and salts and releases
    /// the NSS keys), wipes the master key copy and the scratch copy. Idempotent.
    func wipe() {
        for session in [outbound, inbound] {
            guard let session else { continue }
            // srtp_dealloc only fails on a corrupt stream list; nothing more can be freed then.
            _ = srtp_dealloc(session)
        }
        outbound = nil
        inbound = nil
        master.wipe()
        scratch.release()
        senders.removeAll()
        inboundPendingROC.removeAll()
        outboundInUse.removeAll()
    }
}
