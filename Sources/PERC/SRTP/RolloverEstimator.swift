/// Packet index estimation from the 16-bit sequence number (RFC 3711 §3.3.1 and Appendix A).
///
/// Holds the rollover counter (ROC) and the highest sequence number seen (s_l). `estimate` does
/// not change state; `update` is called only once the packet has authenticated (receiver) or been
/// protected (sender, which estimates the same way, as libsrtp does).
struct RolloverEstimator {
    /// A guessed ROC `v` and the 48-bit packet index `2^16·v + SEQ`.
    struct Estimate: Equatable {
        var roc: UInt32
        var index: UInt64
    }

    /// The ROC of the highest packet seen, or the ROC signalled for a late joiner.
    private(set) var roc: UInt32
    /// s_l, the highest sequence number seen; `nil` until the first packet (or after a reset).
    private(set) var highestSequence: UInt16?

    init(roc: UInt32 = 0) {
        self.roc = roc
    }

    /// Sets the ROC learned out of band (RFC 3711 §3.3.1: a late joiner MUST be given it). The next
    /// packet's sequence number becomes s_l.
    mutating func reset(roc: UInt32) {
        self.roc = roc
        highestSequence = nil
    }

    /// The guessed ROC `v` for `sequence` and its index (RFC 3711 Appendix A), or `nil` when the
    /// guess is ROC + 1 past ROC 2^32 − 1: the 48-bit index would wrap and reuse keystream
    /// (RFC 3711 §3.3.1, §9.2).
    func estimate(_ sequence: UInt16) -> Estimate? {
        guard let sl = highestSequence else { return Estimate(roc: roc, sequence: sequence) }
        let seq = Int32(sequence)
        let sL = Int32(sl)
        let v: UInt32
        if sL < 32768 {
            // A late packet from before the last wrap. At ROC 0 there is no earlier ROC: libsrtp
            // (rdbx.c) keeps v = 0 while the index is at most 2^15; so do we.
            v = seq - sL > 32768 && roc > 0 ? roc - 1 : roc
        } else if sL - 32768 > seq {
            guard roc < .max else { return nil }
            v = roc + 1  // SEQ wrapped forward
        } else {
            v = roc
        }
        return Estimate(roc: v, sequence: sequence)
    }

    /// Records a packet with its guessed ROC `v` (RFC 3711 §3.3.1).
    mutating func update(_ estimate: Estimate) {
        let sequence = UInt16(truncatingIfNeeded: estimate.index)
        guard let sl = highestSequence else {
            roc = estimate.roc
            highestSequence = sequence
            return
        }
        if estimate.roc == roc {
            if sequence > sl { highestSequence = sequence }
        } else if estimate.roc == roc &+ 1 {
            roc = estimate.roc
            highestSequence = sequence
        }
        // v == ROC − 1: a late packet from before the wrap changes nothing.
    }
}

extension RolloverEstimator.Estimate {
    init(roc: UInt32, sequence: UInt16) {
        self.init(roc: roc, index: UInt64(roc) << 16 | UInt64(sequence))
    }
}
