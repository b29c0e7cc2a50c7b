/// Receiver-side packet index estimation (RFC 3711 §3.3.1 and Appendix A).
///
/// Holds the rollover counter (ROC) and the highest sequence number received (s_l). `estimate`
/// does not change state; `update` is called only after the packet authenticated.
struct RolloverEstimator {
    /// The ROC of the highest packet received, or the ROC signalled for a late joiner.
    private(set) var roc: UInt32
    /// s_l, the highest sequence number received; `nil` until the first packet authenticates.
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

    /// The guessed ROC `v` for `sequence` and the 48-bit index `2^16·v + SEQ`
    /// (RFC 3711 Appendix A).
    func estimate(_ sequence: UInt16) -> (roc: UInt32, index: UInt64) {
        guard let sl = highestSequence else {
            return (roc, UInt64(roc) << 16 | UInt64(sequence))
        }
        let seq = Int32(sequence)
        let sL = Int32(sl)
        let v: UInt32
        if sL < 32768 {
            v = seq - sL > 32768 ? roc &- 1 : roc
        } else {
            v = sL - 32768 > seq ? roc &+ 1 : roc
        }
        return (v, UInt64(v) << 16 | UInt64(sequence))
    }

    /// Records an authenticated packet with its guessed ROC `v` (RFC 3711 §3.3.1).
    mutating func update(sequence: UInt16, roc v: UInt32) {
        guard let sl = highestSequence else {
            roc = v
            highestSequence = sequence
            return
        }
        if v == roc {
            if sequence > sl { highestSequence = sequence }
        } else if v == roc &+ 1 {
            roc = v
            highestSequence = sequence
        }
        // v == ROC − 1: a late packet from before the wrap changes nothing.
    }
}
