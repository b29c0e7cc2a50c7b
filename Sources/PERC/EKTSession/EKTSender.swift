import Synchronization

/// The sending side of an EKT stream (RFC 8870): protects RTP with the sender's own SRTP master
/// key and appends to every packet the EKT tag that carries that key to receivers — a
/// FullEKTField (the key, SSRC and ROC wrapped under the EKT key) or the one-octet
/// ShortEKTField, per `EKTSenderSchedule`.
///
/// ```
/// | RTP header | payload (encrypted) | SRTP tag | EKT tag: FullEKTField or 0x00 |
/// ```
///
/// - Keys: the master key is random (or the key part of one given at creation), lives in the
///   store in the EKT key's scope, and is paired with the EKT key's salt, which receivers get with
///   the EKT key (RFC 8870 §4.2). `rotateMasterKey()` moves to a new master key (epoch + 1);
///   `rekey(ektKey:)` moves to a new EKT key and, as RFC 8870 §4.5 requires, a new master key
///   (epoch 0). Both take effect on the next packet, whose Full field carries the key that
///   protects it (RFC 8870 §4.3.1; see "The 250 ms recommendation" below).
/// - Full fields are wrapped once per SSRC, key and ROC and cached (RFC 8870 §4.3.1): a packet
///   copies the cached octets, it does not wrap.
/// - SRTCP is plain SRTCP under the sender's current master key, without an EKT tag: RFC 8870
///   defines EKT for SRTP only (§4).
/// - Ending the EKT key's conference wipes the master key and the session; revoking the EKT key
///   or its expiry (`ekt_ttl`) stops the sender: every later RTP packet throws.
///
/// ## The 250 ms recommendation
///
/// RFC 8870 §4.3.1 says the Full field MUST carry the key, SSRC and ROC "actually used" for the
/// packet, while §4.6 recommends announcing a new key and protecting with the old one for another
/// 250 ms. The two conflict; this sender follows the MUST and switches at once: the packet that
/// announces a key is protected with it, so a receiver learns the key from the very packet that
/// proves it (the receiver installs a key only once a packet authenticates with it), and the
/// burst of Full fields plus the periodic ones cover lost packets. `EKTReceiver` accepts both
/// behaviours: a key announced before use is held until a packet authenticates with it.
///
/// Thread-safe; calls are serialised by a lock.
public final class EKTSender: Sendable {
    public let configuration: Configuration
    private let store: KeyStore
    private let clock: EKTClock
    private let state: Locked<State>

    private struct State {
        var keying: Keying
        var tags: EKTSenderTags
    }

    /// One master key under one EKT key.
    private struct Keying {
        let ekt: KeyStore.EKTKeyInfo
        let ektWatch: EKTKeyWatch
        let session: SRTPSession
        /// What the EKT tags carry: the EKT key, and the master key the session is keyed from
        /// (master key ‖ EKT salt, the sender's own store key) with its epoch and generation.
        let tagKey: EKTSenderTags.Key

        var ektKey: KeyHandle { tagKey.ektKey }
        var masterKey: KeyHandle { tagKey.masterKey }
        var epoch: UInt16 { tagKey.epoch }
        var generation: UInt64 { tagKey.generation }
    }

    /// Creates a sender for `ektKey`, an EKT key of `store`.
    ///
    /// - Parameters:
    ///   - masterKey: an SRTP master key whose key part to use; nil (the default) generates a
    ///     random one. Either way the sender keys its session from a new store key (the master key
    ///     with the EKT key's salt) in the EKT key's scope; `masterKey` itself stays the caller's.
    ///   - configuration: the SRTP profile and options (no MKI) and the Full field schedule.
    public convenience init(
        store: KeyStore, ektKey: KeyHandle, masterKey: KeyHandle? = nil,
        configuration: Configuration
    ) throws(EKTSessionError) {
        try self.init(
            store: store, ektKey: ektKey, masterKey: masterKey, configuration: configuration,
            clock: .coarseMonotonic)
    }

    init(
        store: KeyStore, ektKey: KeyHandle, masterKey: KeyHandle?, configuration: Configuration,
        clock: EKTClock
    ) throws(EKTSessionError) {
        try configuration.validate()
        self.configuration = configuration
        self.store = store
        self.clock = clock
        let keying = try Self.makeKeying(
            store: store, ektKey: ektKey, masterKey: masterKey, configuration: configuration,
            epoch: 0, generation: 0)
        state = Locked(State(keying: keying, tags: EKTSenderTags(schedule: configuration.schedule)))
    }

    deinit {
        state.withLock { store.revoke($0.keying.masterKey) }
    }

    /// Octets protection adds to an RTP packet: the SRTP tag and the largest EKT tag (a
    /// FullEKTField). Give `protectRTP` buffers with this much room after the packet.
    public var maxRTPOverhead: Int {
        configuration.srtp.maxRTPOverhead + configuration.fullFieldLength
    }

    /// Octets protection adds to an RTCP packet (no EKT tag on SRTCP).
    public var maxRTCPOverhead: Int { configuration.srtp.maxRTCPOverhead }

    /// The SPI of the current EKT key (RFC 8870 §4.2).
    public var spi: UInt16 { state.withLock { $0.keying.ekt.spi } }

    /// The epoch of the current master key under the current EKT key (RFC 8870 §4.1).
    public var epoch: UInt16 { state.withLock { $0.keying.epoch } }

    /// FullEKTFields wrapped under the current EKT key (RFC 8870 §4.4: at most T).
    var wrapCount: UInt64 { state.withLock { $0.tags.wraps } }

    /// The ROC of the last packet sent on `ssrc`, or nil before the first.
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        state.withLock { $0.tags.streams[ssrc]?.index.roc }
    }

    // MARK: Protecting

    /// Protects the RTP packet in the first `length` octets of `buffer`, appends its EKT tag and
    /// returns the length of the result. `buffer.count` must leave `maxRTPOverhead` octets of room.
    public func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(EKTSessionError) -> Int
    {
        let now = clock.now()
        return try state.withLock { state throws(EKTSessionError) -> Int in
            try protectRTP(buffer, length: length, now: now, state: &state)
        }
    }

    /// Protects an RTP packet held in `packet` and appends its EKT tag. Reserve `maxRTPOverhead`
    /// spare capacity to avoid a reallocation.
    public func protectRTP(_ packet: inout [UInt8]) throws(EKTSessionError) {
        try InPlaceTransform.apply(&packet, growth: maxRTPOverhead, protectRTP)
    }

    /// Protects the RTCP compound packet in the first `length` octets of `buffer` as plain SRTCP
    /// under the current master key (no EKT tag: RFC 8870 §4) and returns the SRTCP length.
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(EKTSessionError) -> Int
    {
        let session = state.withLock { $0.keying.session }
        do {
            return try session.protectRTCP(buffer, length: length)
        } catch {
            throw .srtp(error)
        }
    }

    /// Protects an RTCP compound packet held in `packet` as plain SRTCP.
    public func protectRTCP(_ packet: inout [UInt8]) throws(EKTSessionError) {
        try InPlaceTransform.apply(&packet, growth: maxRTCPOverhead, protectRTCP)
    }

    private func protectRTP(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, now: UInt64, state: inout State
    ) throws(EKTSessionError) -> Int {
        let keying = state.keying
        try Self.checkLive(keying)
        let header: RTPHeader
        do {
            header = try RTPHeader(parsing: UnsafeRawBufferPointer(buffer), length: length)
        } catch {
            throw .srtp(error)
        }
        guard buffer.count >= length + maxRTPOverhead else {
            throw .srtp(.bufferTooSmall(needed: length + maxRTPOverhead))
        }
        let tag = try state.tags.prepare(
            ssrc: header.ssrc, sequence: header.sequenceNumber, key: keying.tagKey, store: store,
            now: now)
        let srtpLength: Int
        do {
            // A session keyed since the stream's last packet continues the stream's index.
            if tag.isFirstUnderKey {
                try keying.session.setRolloverCounter(
                    tag.estimate.roc, ssrc: header.ssrc, direction: .outbound)
            }
            srtpLength = try keying.session.protectRTP(buffer, length: length)
        } catch {
            throw .srtp(error)
        }
        let end = tag.write(into: buffer, at: srtpLength)
        state.tags.commit(tag, key: keying.tagKey, now: now)
        return end
    }

    private static func checkLive(_ keying: Keying) throws(EKTSessionError) {
        do {
            try keying.ektWatch.requireLive(deadline: keying.ekt.deadline)
        } catch {
            throw .ekt(.keyStore(error))
        }
    }

    // MARK: New keys

    /// Moves to a new random SRTP master key under the same EKT key, with the epoch one higher
    /// (RFC 8870 §4.1). The next `schedule.burst` packets of every SSRC carry it in Full fields
    /// (RFC 8870 §4.6). After 65535 rotations under one EKT key the epoch is exhausted: rekey.
    public func rotateMasterKey() throws(EKTSessionError) {
        try state.withLock { state throws(EKTSessionError) in
            let current = state.keying
            guard current.epoch < .max else {
                throw .ekt(.invalidArgument("EKT epoch exhausted; rekey the EKT key"))
            }
            state.keying = try Self.makeKeying(
                store: store, ektKey: current.ektKey, masterKey: nil,
                configuration: configuration, epoch: current.epoch + 1,
                generation: current.generation + 1)
            store.revoke(current.masterKey)
        }
    }

    /// Moves to a new EKT key (a new SPI) and, as RFC 8870 §4.5 requires, a new random SRTP master
    /// key, with the epoch back at 0 (RFC 8870 §4.1). The next `schedule.burst` packets of every
    /// SSRC carry the new key in Full fields under the new SPI.
    ///
    /// Throws `EKTError.duplicateSPI` if `ektKey` has the current SPI: receivers tell EKT keys
    /// apart by SPI (RFC 8870 §4.2), and an epoch 0 under the same SPI would look like a rollback.
    public func rekey(ektKey: KeyHandle) throws(EKTSessionError) {
        let spi: UInt16
        do {
            spi = try store.ektKeyInfo(ektKey).spi
        } catch {
            throw .ekt(error)
        }
        try state.withLock { state throws(EKTSessionError) in
            let current = state.keying
            guard spi != current.ekt.spi else { throw .ekt(.duplicateSPI(spi)) }
            state.keying = try Self.makeKeying(
                store: store, ektKey: ektKey, masterKey: nil, configuration: configuration,
                epoch: 0, generation: current.generation + 1)
            state.tags.ektKeyChanged()
            store.revoke(current.masterKey)
        }
    }

    private static func makeKeying(
        store: KeyStore, ektKey: KeyHandle, masterKey: KeyHandle?, configuration: Configuration,
        epoch: UInt16, generation: UInt64
    ) throws(EKTSessionError) -> Keying {
        let info: KeyStore.EKTKeyInfo
        let key: KeyHandle
        do {
            info = try store.ektKeyInfo(ektKey)
            key = try store.makeEKTSenderMasterKey(
                ektKey: ektKey, copying: masterKey, for: configuration.profile)
        } catch {
            throw .ekt(error)
        }
        let session: SRTPSession
        do {
            session = try withEKTSessionErrors {
                try SRTPSession(key: key, in: store, configuration: configuration.srtp)
            }
        } catch {
            store.revoke(key)
            throw error
        }
        let watch = EKTKeyWatch()
        store.register(watch, for: ektKey)
        return Keying(
            ekt: info, ektWatch: watch, session: session,
            tagKey: EKTSenderTags.Key(
                ektKey: ektKey, masterKey: key, epoch: epoch, generation: generation))
    }
}

extension EKTSender: CustomStringConvertible {
    public var description: String {
        let (spi, epoch) = state.withLock { ($0.keying.ekt.spi, $0.keying.epoch) }
        return "EKTSender(\(configuration.profile), SPI \(spi), epoch \(epoch), keys redacted)"
    }
}

/// Learns from the store when an EKT key is revoked or expires, so its sender stops at once.
final class EKTKeyWatch: KeyDependent {
    private let state = Atomic<UInt8>(0)

    private static let revoked: UInt8 = 1
    private static let expired: UInt8 = 2

    func keyInvalidated(_ reason: KeyInvalidation) {
        state.store(reason == .expired ? Self.expired : Self.revoked, ordering: .releasing)
    }

    /// Why the key is gone, or nil while it is live.
    var invalidation: KeyStoreError? {
        switch state.load(ordering: .acquiring) {
        case Self.revoked: .keyRevoked
        case Self.expired: .keyExpired
        default: nil
        }
    }

    /// RFC 8870 §5.2.2, §6: an EKT key is not used after its TTL, nor after it was revoked.
    /// `deadline` is the key's expiry (`KeyStore.EKTKeyInfo.deadline`, the store's clock).
    func requireLive(deadline: UInt64?) throws(KeyStoreError) {
        if let invalidation { throw invalidation }
        if let deadline, EKTClock.coarseMonotonic.now() >= deadline { throw .keyExpired }
    }
}
