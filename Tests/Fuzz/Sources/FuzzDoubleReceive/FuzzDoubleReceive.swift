import FuzzSupport
import PERC

/// Double SRTP receive (RFC 8723 §5.3: outer open, OHB, synthetic header, inner open) on
/// untrusted packets, with the worked example's keys (`VectorKeys.double`) so the seed packet
/// authenticates. Input: the double packet (no EKT field). Checks the receiver contract
/// (`checkReceive`): a rejection leaves buffer and both layers' ROC and replay state unchanged;
/// an accepted packet shrinks by exactly both tags and its OHB.
/// Lives as long as the process: releasing a store tears it down and revokes its keys.
private let store = KeyStore()
private let receiver: DoubleSRTPReceiver = {
    let keys = VectorKeys.double
    do {
        let (endToEnd, hop) = try store.importDoubleMasterKey(
            keys.sender.key, salt: keys.sender.salt, for: keys.profile)
        let receiver = try DoubleSRTPReceiver(profile: keys.profile, hopKey: hop, in: store)
        try receiver.setEndToEndKey(endToEnd, in: store, ssrc: 0xCAFE_BABE)
        return receiver
    } catch {
        fatalError("cannot key the fuzz receiver: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDoubleReceive(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let packet = UnsafeRawBufferPointer(start: data, count: size)
    let ssrc = packet.count >= 12 ? packet.bigEndian(at: 8, octets: 4) : 0
    let state = {
        [DoubleSRTPLayer.outer, .inner].map { try? receiver.rolloverCounter(ssrc: ssrc, layer: $0) }
    }
    let outcome = checkReceive(packet, snapshot: state) { buffer, length throws(DoubleSRTPError) in
        try receiver.receive(buffer, length: length).length
    }
    if case .success(let length) = outcome {
        fuzzCheck(
            (packet.count - 32 - 4...packet.count - 32 - 1).contains(length),
            "an accepted double packet did not lose exactly two tags and an OHB")
    }
    return 0
}
