/// The receiving side of EKT streams (RFC 8870): learns every sender's SRTP master key from the
/// FullEKTFields on its packets and unprotects their RTP and SRTCP. Receivers are never given a
/// sender's master key any other way.
///
/// - Keys: a FullEKTField is unwrapped with the live EKT key of `scope` its SPI names, inside the
///   store; the master key it carries goes into the store in `scope` and keys that SSRC's context
///   only once the packet carrying it authenticates with it. Until then nothing changes.
/// - Rollback: for the same SPI and SSRC a key with an epoch not above the installed one's is
///   ignored (RFC 8870 §4.1), and so is any key the SSRC already replaced, whatever its epoch
///   (the epoch is not authenticated). A new key also takes over the SSRC's replay history, and
///   the packet that installs it must be ahead of every packet the SSRC has sent before: a
///   sender continues its stream's index (ROC and SEQ) across master keys, as `EKTSender` and
///   libsrtp's `srtp_update` do, so an older packet under a key never installed here is a
///   replay. (A sender that restarts the index with a new key under the same EKT key is refused
///   until a rekey retires that EKT key and, with it, what this receiver knows of the SSRC.)
/// - Keys announced early: a sender following RFC 8870 §4.6's 250 ms recommendation announces
///   its next key while still protecting with the current one; such a key is held, and replaces
///   the current one with the first packet that authenticates with it.
/// - Rekey overlap: when a newer EKT key appears (the application calls `ektKeyAdded(_:)`, or a
///   Full field under it delivers a key), older EKT keys stay accepted for
///   `configuration.rekeyOverlap`, then are revoked in the store, and SSRCs keyed under them are
///   wiped.
/// - Ending the conference (`KeyStore.endConference(scope)`) wipes every learned key and context.
///
/// Every failing call throws an `EKTSessionError` and leaves the buffer and all state unchanged.
/// Thread-safe; calls are serialised by a lock.
public final class EKTReceiver: Sendable {
    public let configuration: Configuration
    /// The conference whose EKT keys this receiver uses and in which it stores learned keys.
    public let scope: KeyScope
    private let clock: EKTClock
    private let core: Locked<Core>

    private typealias Core = EKTReceiverCore<EKTSRTPReceiveKeying>

    /// Creates a receiver for the senders of `scope`, whose EKT keys `store` holds.
    public convenience init(store: KeyStore, scope: KeyScope, configuration: Configuration)
        throws(EKTSessionError)
    {
        try self.init(
            store: store, scope: scope, configuration: configuration, clock: .coarseMonotonic)
    }

    init(store: KeyStore, scope: KeyScope, configuration: Configuration, clock: EKTClock)
        throws(EKTSessionError)
    {
        try configuration.validate()
        self.configuration = configuration
        self.scope = scope
        self.clock = clock
        do {
            core = Locked(
                try Core(
                    keying: EKTSRTPReceiveKeying(configuration: configuration.srtp), store: store,
                    scope: scope, overlap: EKTClock.nanoseconds(configuration.rekeyOverlap),
                    historyLimit: configuration.retiredKeyHistory))
        } catch {
            throw EKTSessionError(error)
        }
    }

    /// Runs `body` on the core under its lock.
    private func withCore<R>(_ body: (inout Core) throws(Core.Failure) -> R)
        throws(EKTSessionError) -> R
    {
        do {
            return try core.withLock { core throws(Core.Failure) -> R in try body(&core) }
        } catch {
            throw EKTSessionError(error)
        }
    }

    deinit {
        core.withLock { $0.forgetAll() }
    }

    // MARK: Unprotecting

    /// Unprotects the SRTP packet with its EKT tag in the first `length` octets of `buffer` and
    /// returns the RTP length.
    public func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(EKTSessionError) -> Int
    {
        let now = clock.now()
        return try withCore { core throws(Core.Failure) in
            try core.unprotectRTP(buffer, length: length, now: now)
        }
    }

    /// Unprotects an SRTP packet with its EKT tag held in `packet`, leaving the RTP packet.
    public func unprotectRTP(_ packet: inout [UInt8]) throws(EKTSessionError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTP)
    }

    /// Unprotects an SRTCP packet from a sender whose key was learned through EKT (SRTCP carries
    /// no EKT tag, RFC 8870 §4) and returns the RTCP length.
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(EKTSessionError) -> Int
    {
        let now = clock.now()
        return try withCore { core throws(Core.Failure) -> Int in
            try core.unprotectRTCP(buffer, length: length, now: now)
        }
    }

    /// Unprotects an SRTCP packet held in `packet`.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(EKTSessionError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTCP)
    }

    // MARK: Rekey

    /// Tells the receiver that `ektKey`, an EKT key of its scope, was just added (e.g. from a DTLS
    /// `EKTKey` message): older EKT keys of the scope it has seen are retired
    /// `configuration.rekeyOverlap` from now. Without this call the overlap starts when a
    /// FullEKTField under the new key first delivers a key.
    public func ektKeyAdded(_ ektKey: KeyHandle) throws(EKTSessionError) {
        let now = clock.now()
        try withCore { core throws(Core.Failure) in try core.ektKeyAdded(ektKey, now: now) }
    }

    // MARK: Streams

    /// What the receiver has learned for `ssrc`, or nil if it has no key for it.
    public func stream(ssrc: UInt32) -> EKTReceivedStream? {
        let now = clock.now()
        return core.withLock { $0.stream(ssrc: ssrc, now: now) }
    }

    /// The SSRCs the receiver has a key for.
    public var ssrcs: [UInt32] {
        let now = clock.now()
        return core.withLock { $0.ssrcs(now: now) }
    }
}

extension EKTReceiver: CustomStringConvertible {
    public var description: String {
        let count = core.withLock { $0.streams.count }
        return "EKTReceiver(\(configuration.profile), \(scope), \(count) SSRCs, keys redacted)"
    }
}

/// What an `EKTReceiver` has learned for one SSRC. Nothing secret.
public struct EKTReceivedStream: Sendable, Equatable {
    public let ssrc: UInt32
    /// The SPI of the EKT key that delivered the installed master key.
    public let spi: UInt16
    /// The epoch it was announced with (RFC 8870 §4.1).
    public let epoch: UInt16
    /// The stream's ROC.
    public let rolloverCounter: UInt32?
    /// Whether a key the sender announced but has not used yet is held.
    public let hasAnnouncedKey: Bool
}
