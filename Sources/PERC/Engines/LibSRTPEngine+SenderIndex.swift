extension LibSRTPEngine {
    /// The packet index libsrtp2 keeps for one outbound stream (its `srtp_rdbx_t`), mirrored so the
    /// engine can refuse a packet whose index would pass 2^48 before `srtp_protect` sees it.
    /// libsrtp2 2.5 does not refuse: it reduces the guessed ROC mod 2^32 and reuses the keystream
    /// of index 0 (RFC 3711 §3.3.1 and §9.2 forbid more than 2^48 packets under one key).
    ///
    /// ```
    /// highest = 2^16 · ROC + s_l          (48 bits; 0 for a new stream)
    /// ```
    struct SenderIndex {
        /// The first index that would need a 33-bit ROC.
        static let limit: UInt64 = 1 << 48
        private static let median: UInt64 = 1 << 15

        /// libsrtp2's highest index sent on the stream.
        private(set) var highest: UInt64 = 0
        /// A ROC installed with `srtp_set_stream_roc` that no packet has used yet.
        private(set) var pendingROC: UInt32?

        /// The index libsrtp2 will give the next packet with `sequence`; not reduced mod 2^48, so
        /// a value ≥ `limit` means the ROC would wrap.
        func index(of sequence: UInt16) -> UInt64 {
            let seq = UInt64(sequence)
            // srtp_estimate_index: a fresh stream with a pending ROC jumps straight to it.
            if let pendingROC { return UInt64(pendingROC) << 16 | seq }
            // srtp_rdbx_estimate_index: ROC 0 until the index passes 2^15.
            guard highest > Self.median else { return seq }
            // RFC 3711 Appendix A as srtp_index_guess implements it.
            let roc = highest >> 16
            let sL = highest & 0xFFFF
            let v: UInt64
            if sL < Self.median {
                v = seq > sL + Self.median ? roc - 1 : roc
            } else {
                v = sL - Self.median > seq ? roc + 1 : roc
            }
            return v << 16 | seq
        }

        /// Records a packet `srtp_protect` accepted: the index moves forward only (srtp_rdbx).
        mutating func record(_ sequence: UInt16) {
            let index = index(of: sequence)
            if pendingROC != nil {
                highest = index
                pendingROC = nil
            } else if index > highest {
                highest = index
            }
        }

        /// The state of a stream just added with ROC `roc` (RFC 3711 §3.3.1 late join).
        static func restarted(roc: UInt32) -> SenderIndex {
            var index = SenderIndex()
            index.pendingROC = roc == 0 ? nil : roc
            return index
        }
    }
}
