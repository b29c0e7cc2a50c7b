import PERC

/// Builds the ring workload of one SRTP/SRTCP case: the implementation's protect and unprotect
/// operations, keyed alike, with protect as the sender of the unprotect case.
enum PacketWorkloads {
    static func make(
        _ profile: SRTPProfile, _ direction: BenchDirection, _ packet: BenchPacket,
        _ implementation: BenchImplementation, batchSize: Int
    ) throws(BenchError) -> any BenchWorkload {
        let rtp = packet.kind == .rtp
        switch implementation {
        case .openSSLEngine, .libsrtp2Engine:
            let pair = try SessionPair(
                profile: profile, engine: implementation == .openSSLEngine ? .openSSL : .libsrtp2)
            return rtp
                ? ring(
                    direction, packet, batchSize, SessionProtectRTP(session: pair.sender),
                    SessionUnprotectRTP(session: pair.receiver), retaining: pair.store)
                : ring(
                    direction, packet, batchSize, SessionProtectRTCP(session: pair.sender),
                    SessionUnprotectRTCP(session: pair.receiver), retaining: pair.store)
        case .rawEVP:
            let keys = BaselineSessionKeys(profile: profile)
            let seal = try EVPBaseline(profile: profile, sealing: true, keys: keys)
            let open = try EVPBaseline(profile: profile, sealing: false, keys: keys)
            return rtp
                ? ring(
                    direction, packet, batchSize,
                    EVPProtectRTP(
                        baseline: seal, headerLength: packet.headerLength, ssrc: packet.ssrc),
                    EVPUnprotectRTP(
                        baseline: open, headerLength: packet.headerLength, ssrc: packet.ssrc))
                : ring(
                    direction, packet, batchSize, EVPProtectRTCP(baseline: seal, ssrc: packet.ssrc),
                    EVPUnprotectRTCP(baseline: open, ssrc: packet.ssrc))
        case .rawLibSRTP:
            let outbound = try LibSRTPBaseline(profile: profile, outbound: true)
            let inbound = try LibSRTPBaseline(profile: profile, outbound: false)
            return ring(
                direction, packet, batchSize,
                LibSRTPOperation(baseline: outbound, call: rtp ? .protectRTP : .protectRTCP),
                LibSRTPOperation(baseline: inbound, call: rtp ? .unprotectRTP : .unprotectRTCP))
        case .library:
            throw BenchError("no packet workload for \(implementation)")
        }
    }

    /// Protect cases run `protect` on plaintext; unprotect cases run `unprotect` on packets
    /// `protect` made fresh before each batch.
    private static func ring<Protect: PacketOperation, Unprotect: PacketOperation>(
        _ direction: BenchDirection, _ packet: BenchPacket, _ batchSize: Int, _ protect: Protect,
        _ unprotect: Unprotect, retaining: AnyObject? = nil
    ) -> any BenchWorkload {
        // SRTCP indices start at 1 (libsrtp2's first); SRTP at SEQ 0.
        let firstIndex: UInt64 = packet.kind == .rtcp ? 1 : 0
        let retained = retaining.map { [$0] } ?? []
        switch direction {
        case .protect:
            return RingWorkload(
                packet: packet, batchSize: batchSize, operation: protect, firstIndex: firstIndex,
                retaining: retained)
        case .unprotect:
            return RingWorkload(
                packet: packet, batchSize: batchSize, operation: unprotect, sender: protect,
                firstIndex: firstIndex, retaining: retained)
        }
    }
}
