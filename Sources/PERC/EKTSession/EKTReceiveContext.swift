/// What an EKT receiver keys per SSRC: a receive context built from a master key learned from a
/// FullEKTField (RFC 8870 §4.3.2 step 9). `EKTReceiverCore` runs the EKT rules (tag parsing, SPI
/// lookup, unwrap, epoch and history checks, rekey overlap) and drives contexts through this
/// protocol: build a candidate from an unwrapped key, trial it on the packet that carried the
/// key, and install it only if that packet authenticates.
///
/// Single SRTP keys a whole `SRTPSession` (`EKTSRTPReceiveKeying`). A double SRTP endpoint keys
/// only its inner (end-to-end) context from EKT, and its contexts run both layers with the hop
/// key it already has (`PERCReceiveKeying`; RFC 8723 §5.1, RFC 8870 §4.3.2 step 6).
protocol EKTReceiveKeying: Sendable {
    associatedtype Context: EKTReceiveContext

    /// The master key length the transform takes from a FullEKTField (RFC 8870 §4.3.2 step 6).
    var masterKeyLength: Int { get }

    /// Builds an unproven context for `key.ssrc` from an unwrapped key. The key goes into `store`
    /// in `scope`, so ending the conference wipes the context (`KeyStore.endConference`).
    func makeContext(from key: UnwrappedSRTPKey, store: KeyStore, scope: KeyScope)
        throws(EKTReceiveFailure<Context.Failure>) -> Context
}

/// One SSRC's receive context, keyed from one master key learned through EKT.
///
/// Calls come from one `EKTReceiverCore`, under its lock. Every failing call leaves the packet and
/// the context's packet state (ROC, replay window) as they were.
protocol EKTReceiveContext: AnyObject, Sendable {
    /// What unprotecting a packet yields (single SRTP: the RTP length).
    associatedtype Received
    /// The transform's errors.
    associatedtype Failure: Error

    /// The SSRC in the header of the SRTP packet in the first `length` octets of `packet`.
    static func ssrc(ofRTP packet: UnsafeRawBufferPointer, length: Int) throws(Failure) -> UInt32

    /// Which failures say the packet is not this context's, so that another key of the SSRC may
    /// still take it (nil for any other failure).
    static func trialFailure(_ failure: Failure) -> EKTTrialFailure?

    /// Unprotects in place the SRTP packet without its EKT tag.
    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int) throws(Failure)
        -> Received

    /// Readies this context's inbound stream `ssrc` to take over from `current`, the context it
    /// would replace, before a trial on `packet` (the first `length` octets, without EKT tag):
    ///
    /// - the stream keeps `current`'s RTP replay history: the SSRC's packet index runs on across
    ///   key changes, so no packet seen under the old key can be replayed under the new one
    ///   (RFC 3711 §3.3.2; RFC 8871 §8.2.2);
    /// - its index starts at `roc` (the ROC of a FullEKTField, RFC 8870 §4.3.2 step 9) or, for
    ///   nil, continues `current`'s;
    /// - the packet's index must be ahead of every index `current` has seen, or the trial fails
    ///   as a replay (`trialFailure` = `.replay`), here or in `unprotectRTP`: a sender uses a new
    ///   key only after the old one, so an older packet under a key this SSRC never installed is
    ///   a replay, whatever epoch its Full field claims.
    func continueStream(
        _ ssrc: UInt32, from current: Self?, roc: UInt32?, packet: UnsafeRawBufferPointer,
        length: Int
    ) throws(Failure)

    /// The ROC of the inbound stream `ssrc`, nil if it has none.
    func rolloverCounter(ssrc: UInt32) -> UInt32?

    /// Wipes the context and the key it was built from. The context is not used after.
    func discard()
}

/// A failure of a context on a packet that another key of the SSRC may still take.
enum EKTTrialFailure: Equatable {
    /// The packet did not authenticate with the context's key.
    case authentication
    /// The packet's index was already seen, or is behind the stream the context took over.
    case replay
}

/// Why `EKTReceiverCore` refused a packet; its owner reports it in its public error type
/// (`EKTSessionError`, `PERCError`).
enum EKTReceiveFailure<Transform: Error>: Error {
    /// The EKT tag or the EKT key (RFC 8870 §4.3.2 steps 1–6), or the store refused a key.
    case ekt(EKTError)
    /// The transform refused the packet.
    case transform(Transform)
    /// No key learned for the SSRC yet, or it was retired with its EKT key.
    case noKey(ssrc: UInt32)
    /// An older key's Full field on a packet the installed key does not authenticate.
    case staleKey(ssrc: UInt32, spi: UInt16, epoch: UInt16)
}
