import FuzzSupport
import PERC

/// One SRTP stream from a sender to a receiver over a network the input controls (it picks each
/// SEQ, and reorders, duplicates and drops packets), checked packet by packet against a model of
/// RFC 3711 §3.3.1 (index estimation, Appendix A) and §3.3.2 (replay list) written here
/// independently of the library: the ROC guess is the one whose index lies closest to the
/// highest index accepted, and the replay list is a set of indices.
///
/// Input: selector octet (bits 0–3 profile as in `SessionSelector`; bits 4–5 replay window 64,
/// 100, 1024 or 32768) ‖ operations of 3 octets `op a b`:
/// - `op` mod 4 = 0: the sender protects its next packet and the network holds it; 1: the same,
///   and it is also delivered at once. SEQ = previous SEQ + step (mod 2^16), where the step is
///   `op >> 2` − 8 (−8...54: small moves, the interesting ones for a window) or, for
///   `op >> 2` = 63, `ab` (any jump);
/// - 2: the network delivers held packet `a` mod count again (a duplicate);
/// - 3: the network delivers held packet `a` mod count and forgets it.
///
/// Every protect and unprotect must succeed or fail exactly as the model says, with the same
/// error, and the receiver's ROC must follow the model. Fresh sessions per input: the stream's
/// state is what is under test.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSRTPStream(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (selector, operations) = FuzzInput(data, size).selectorAndBody else { return 0 }
    let window = [64, 100, 1024, 32768][Int(selector >> 4 & 0x03)]
    let configuration = SRTPSession.Configuration(
        profile: SessionSelector(selector & 0x0F).profile, replayWindow: window)
    guard let sender = FuzzSessions.make(configuration),
        let receiver = FuzzSessions.make(configuration)
    else { fatalError("OpenSSL sessions for \(configuration)") }

    var senderModel = StreamModel(window: window)
    var receiverModel = StreamModel(window: window)
    var held: [(packet: [UInt8], index: UInt64)] = []
    var sequence: UInt16 = 0

    func deliver(_ packet: [UInt8], index: UInt64) {
        let expected = receiverModel.receive(UInt16(truncatingIfNeeded: index), trueIndex: index)
        var received = packet
        let outcome = Result { () throws(SRTPError) in try receiver.unprotectRTP(&received) }
        fuzzCheck(
            outcome.map { _ in index } == expected,
            "index \(index): receiver \(outcome), model \(expected)")
        let roc = try? receiver.rolloverCounter(ssrc: StreamModel.ssrc, direction: .inbound)
        fuzzCheck(
            roc == receiverModel.roc,
            "receiver ROC \(roc as Any), model \(receiverModel.roc as Any)")
    }

    var offset = 0
    while offset + 3 <= operations.count {
        let (op, a, b) = (operations[offset], operations[offset + 1], operations[offset + 2])
        offset += 3
        switch op % 4 {
        case 0, 1:
            sequence &+= op >> 2 == 63 ? UInt16(a) << 8 | UInt16(b) : UInt16(op >> 2) &- 8
            let expected = senderModel.send(sequence)
            var packet = StreamModel.plaintext(sequence: sequence)
            let outcome = Result { () throws(SRTPError) in try sender.protectRTP(&packet) }
            fuzzCheck(
                outcome.map { _ in true } == expected.map { _ in true },
                "SEQ \(sequence): sender \(outcome), model \(expected)")
            guard case .success(let index) = expected else { continue }
            if op % 4 == 1 { deliver(packet, index: index) }
            if held.count == 32 { held.removeFirst() }
            held.append((packet, index))
        case 2 where !held.isEmpty:
            let packet = held[Int(a) % held.count]
            deliver(packet.packet, index: packet.index)
        case 3 where !held.isEmpty:
            let packet = held.remove(at: Int(a) % held.count)
            deliver(packet.packet, index: packet.index)
        default:
            break
        }
    }
    return 0
}

/// One side of a stream as RFC 3711 describes it: the highest index accepted and the set of
/// indices accepted.
struct StreamModel {
    static let ssrc: UInt32 = 0x5EED_0001

    let window: UInt64
    private(set) var highest: UInt64?
    private var accepted: Set<UInt64> = []

    init(window: Int) {
        self.window = UInt64(window)
    }

    /// The ROC of the highest index accepted (RFC 3711 §3.3.1), nil before the first packet.
    var roc: UInt32? { highest.map { UInt32($0 >> 16) } }

    /// RFC 3711 §3.3.1 / Appendix A: of the indices ROC−1, ROC and ROC+1 with this SEQ, the one
    /// closest to the highest index; at a tie (exactly 2^15 away) the current ROC. Before any
    /// packet, ROC 0.
    func estimate(_ sequence: UInt16) -> UInt64 {
        guard let highest else { return UInt64(sequence) }
        let roc = highest >> 16
        let candidates = [roc &- 1, roc, roc + 1].filter { $0 <= roc + 1 && $0 < 1 << 32 }
            .map { $0 << 16 | UInt64(sequence) }
        func distance(_ index: UInt64) -> UInt64 {
            index > highest ? index - highest : highest - index
        }
        let best = candidates.min { distance($0) < distance($1) }!
        let current = roc << 16 | UInt64(sequence)
        return distance(current) == distance(best) ? current : best
    }

    /// RFC 3711 §3.3.2: ahead of the highest index is fresh; `window` or more behind it is too
    /// old; in between, fresh unless accepted before.
    func verdict(_ index: UInt64) -> SRTPError? {
        guard let highest, index <= highest else { return nil }
        if highest - index >= window { return .tooOld }
        return accepted.contains(index) ? .replayed : nil
    }

    private mutating func accept(_ index: UInt64) {
        highest = max(highest ?? index, index)
        accepted.insert(index)
    }

    /// A sender protecting `sequence`: it estimates the index as a receiver would and refuses an
    /// index it already sent (keystream reuse, RFC 3711 §9.2).
    mutating func send(_ sequence: UInt16) -> Result<UInt64, SRTPError> {
        let index = estimate(sequence)
        if let refusal = verdict(index) { return .failure(refusal) }
        accept(index)
        return .success(index)
    }

    /// A receiver given the packet the sender protected as `trueIndex`: the replay check runs on
    /// the estimated index first (RFC 3711 §3.3 steps 2 and 3); a wrong estimate fails
    /// authentication (the ROC is in the tag or the IV).
    mutating func receive(_ sequence: UInt16, trueIndex: UInt64) -> Result<UInt64, SRTPError> {
        let index = estimate(sequence)
        if let refusal = verdict(index) { return .failure(refusal) }
        guard index == trueIndex else { return .failure(.authenticationFailed) }
        accept(index)
        return .success(index)
    }

    /// The RTP packet for `sequence`: V=2, PT 96, this stream's SSRC, four octets of payload.
    static func plaintext(sequence: UInt16) -> [UInt8] {
        [0x80, 0x60, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0, 0]
            + bigEndianOctets(ssrc) + [0x70, 0x61, 0x79, 0x6C]
    }
}
