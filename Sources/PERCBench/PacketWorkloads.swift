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
            return try rtp
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
            return try rtp
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
            return try ring(
                direction, packet, batchSize,
                LibSRTPOperation(baseline: outbound, call: rtp ? .protectRTP : .protectRTCP),
                LibSRTPOperation(baseline: inbound, call: rtp ? .unprotectRTP : .unprotectRTCP))
        case .library:
            throw BenchError("no packet workload for \(implementation)")
        }
    }

    /// Double SRTP (RFC 8723) with AES-128-GCM in both layers: send (`protect`), receive
    /// (`unprotect`) and Media Distributor relay (`relay`, on packets sent fresh before each
    /// batch).
    static func makeDouble(
        _ direction: BenchDirection, _ packet: BenchPacket, _ implementation: BenchImplementation,
        batchSize: Int
    ) throws(BenchError) -> any BenchWorkload {
        let profile = SRTPProfile.aeadAES128GCM
        let (header, ssrc) = (packet.headerLength, packet.ssrc)
        switch implementation {
        case .rawEVP:
            // Inner (end-to-end) keys, the sender↔MD hop and the MD↔receiver hop.
            func contexts(seed: UInt8) throws(BenchError) -> (EVPBaseline, EVPBaseline) {
                let keys = BaselineSessionKeys(profile: profile, seed: seed)
                return (
                    try EVPBaseline(profile: profile, sealing: true, keys: keys),
                    try EVPBaseline(profile: profile, sealing: false, keys: keys)
                )
            }
            let (innerSeal, innerOpen) = try contexts(seed: 0)
            let (hopInSeal, hopInOpen) = try contexts(seed: 0x40)
            let (hopOutSeal, _) = try contexts(seed: 0x80)
            let send = EVPDoubleProtect(
                inner: innerSeal, outer: hopInSeal, headerLength: header, ssrc: ssrc)
            switch direction {
            case .protect:
                return RingWorkload(packet: packet, batchSize: batchSize, operation: send)
            case .unprotect:
                return RingWorkload(
                    packet: packet, batchSize: batchSize,
                    operation: EVPDoubleUnprotect(
                        inner: innerOpen, outer: hopInOpen, headerLength: header, ssrc: ssrc),
                    sender: send)
            case .relay:
                return RingWorkload(
                    packet: packet, batchSize: batchSize,
                    operation: EVPRelay(
                        inbound: hopInOpen, outbound: hopOutSeal, headerLength: header,
                        ssrc: ssrc),
                    sender: send)
            }
        case .openSSLEngine:
            let setup = try DoubleSRTPSetup(ssrc: ssrc)
            let send = DoubleSRTPProtect(sender: setup.sender)
            let store: [AnyObject] = [setup.store]
            switch direction {
            case .protect:
                return RingWorkload(
                    packet: packet, batchSize: batchSize, operation: send, retaining: store)
            case .unprotect:
                return RingWorkload(
                    packet: packet, batchSize: batchSize,
                    operation: DoubleSRTPReceive(receiver: setup.receiver), sender: send,
                    retaining: store)
            case .relay:
                return RingWorkload(
                    packet: packet, batchSize: batchSize,
                    operation: DistributorRelay(
                        distributor: setup.distributor, ingress: setup.ingress,
                        egress: setup.egress),
                    sender: send, retaining: store)
            }
        default:
            throw BenchError("no double SRTP workload for \(implementation)")
        }
    }

    /// Protect cases run `protect` on plaintext; unprotect cases run `unprotect` on packets
    /// `protect` made fresh before each batch.
    private static func ring<Protect: PacketOperation, Unprotect: PacketOperation>(
        _ direction: BenchDirection, _ packet: BenchPacket, _ batchSize: Int, _ protect: Protect,
        _ unprotect: Unprotect, retaining: AnyObject? = nil
    ) throws(BenchError) -> any BenchWorkload {
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
        case .relay:
            throw BenchError("relay is a double SRTP case")
        }
    }
}
