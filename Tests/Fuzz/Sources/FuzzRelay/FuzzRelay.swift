import FuzzSupport
import PERC

/// The Media Distributor relay (RFC 8723 §5.2) on untrusted input, holding only the worked
/// example's hop keys (`VectorKeys.double`). Input: selector octet ‖ the packet (double SRTP with
/// its EKT field). The selector picks the header rewrite (`rewrite(for:)`). Checks the receiver contract (`checkReceive`, with the relay's `maxGrowth` of
/// room): a rejection leaves the buffer and both legs' ROC and replay state unchanged; nothing is
/// written past the room; an accepted packet changes length only by the OHB's growth or shrinkage.
private let store = KeyStore()
private let distributor: MediaDistributor = {
    do {
        return try MediaDistributor(profile: VectorKeys.double.profile)
    } catch {
        fatalError("cannot create the fuzz distributor: \(error)")
    }
}()
private let legs: (MediaDistributor.Ingress, MediaDistributor.Egress) = {
    let keys = VectorKeys.double
    do {
        let ingress = try store.importHopKey(
            keys.ingress.key, salt: keys.ingress.salt, for: keys.profile)
        let egress = try store.importHopKey(
            keys.egress.key, salt: keys.egress.salt, for: keys.profile)
        return (
            try distributor.addIngress(hopKey: ingress, in: store),
            try distributor.addEgress(hopKey: egress, in: store)
        )
    } catch {
        fatalError("cannot key the fuzz distributor: \(error)")
    }
}()

/// Selector bits: 0x01 rewrite PT to 100, 0x02 rewrite SEQ to 0x0042, 0x04 rewrite the marker
/// to bit 0x08 — the worked example's rewrite is 0x07.
private func rewrite(for selector: UInt8) -> MediaDistributor.HeaderRewrite {
    MediaDistributor.HeaderRewrite(
        payloadType: selector & 0x01 != 0 ? 100 : nil,
        sequenceNumber: selector & 0x02 != 0 ? 0x0042 : nil,
        marker: selector & 0x04 != 0 ? selector & 0x08 != 0 : nil)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRelay(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, packet) = FuzzInput(data, size).selectorAndBody else { return 0 }
    let (ingress, egress) = legs
    let ssrc = packet.count >= 12 ? packet.bigEndian(at: 8, octets: 4) : 0
    let state = {
        [
            try? distributor.rolloverCounter(ssrc: ssrc, on: ingress),
            try? distributor.rolloverCounter(ssrc: ssrc, on: egress),
        ]
    }
    let outcome = checkReceive(packet, room: MediaDistributor.maxGrowth, snapshot: state) {
        buffer, length throws(DoubleSRTPError) in
        try distributor.relay(
            buffer, length: length, from: ingress, to: egress, rewrite: rewrite(for: selector))
    }
    if case .success(let length) = outcome {
        fuzzCheck(
            abs(length - packet.count) <= MediaDistributor.maxGrowth,
            "a relayed packet changed length by more than the OHB can")
    }
    return 0
}
