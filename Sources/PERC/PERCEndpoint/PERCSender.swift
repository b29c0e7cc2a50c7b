/// The sending side of a PERC endpoint (RFC 8871): double SRTP (RFC 8723) whose end-to-end key
/// the endpoint draws itself for each EKT key and announces in EKT fields (RFC 8870), and whose
/// hop key it shares with its Media Distributor.
///
/// ```
///  RTP packet in:  | RTP header (ext) | payload (‖ padding) |
///  on the wire:    | RTP header (ext) | inner ciphertext | inner tag | OHB 0x00 | outer tag | EKT field |
///                                     '---- end-to-end key (inner) ----'
///                                     '---------------- hop key (outer) ---------------'
///  EKT field = FullEKTField(inner key, SSRC, inner ROC) under the EKT key, or 0x00 (Short)
/// ```
/// - Keys: the end-to-end key is random, drawn per EKT key (and per `rotateEndToEndKey()`), lives
///   in the store in the EKT key's scope, and is paired with the EKT key's salt: every endpoint of
///   a conference shares that end-to-end salt (RFC 8871 §4.5.1). Only that key (16 or 32 octets)
///   travels in Full fields (RFC 8870 §4.3.2 step 6), with the inner ROC. `rekey(ektKey:)` moves
///   to a new EKT key and, as RFC 8871 §4.5.2 requires, a new end-to-end key (epoch 0);
///   `rotateEndToEndKey()` to a new end-to-end key under the same EKT key (epoch + 1). A new key
///   protects from the next packet on, which announces it (see `EKTSender`, "The 250 ms
///   recommendation"); each SSRC's inner index runs on across keys, so receivers can refuse any
///   packet that goes back. The hop layer and its indices never change with the end-to-end key.
/// - Full fields follow `EKTSenderSchedule` (RFC 8870 §4.6), Short fields otherwise; a Full field
///   is wrapped once per SSRC, key and inner ROC and cached.
/// - No downgrade: every media packet is double protected; there is no call to send media under
///   the hop key only or without the EKT field. Repair packets (`protectRepair`) and RTCP
///   (`protectRTCP`) are hop by hop only, as RFC 8723 §5.1 and §6 define them.
/// - Ending the EKT key's conference wipes the end-to-end key and the whole sender; revoking the
///   EKT key or its expiry stops it (every later RTP packet throws).
///
/// Thread-safe; calls are serialised by a lock.
public final class PERCSender: Sendable {
    public let profile: DoubleSRTPProfile
    /// The conference: the scope of the sender's EKT keys and end-to-end keys.
    public let scope: KeyScope
    public let configuration: Configuration
    private let store: KeyStore
    private let clock: EKTClock
    /// The double SRTP layers: the inner one keyed with the current end-to-end key.
    private let media: DoubleSRTPSender
    private let state: Locked<State>

    private struct State {
        var keying: Keying
        var tags: EKTSenderTags
    }

    /// One end-to-end key under one EKT key.
    private struct Keying {
        let ekt: KeyStore.EKTKeyInfo
        let ektWatch: EKTKeyWatch
        /// What the EKT tags carry: the EKT key and the end-to-end key (key ‖ EKT salt), all of
        /// which is wrapped, with its epoch and generation.
        let tagKey: EKTSenderTags.Key

        var endToEndKey: KeyHandle { tagKey.masterKey }
    }

    /// Creates a sender announcing its keys under `ektKey`, an EKT key of `store`, and protecting
    /// hop by hop with `hopKey` (the endpoint → distributor direction).
    public convenience init(
        profile: DoubleSRTPProfile, ektKey: KeyHandle, hopKey: HopKeyHandle, store: KeyStore,
        configuration: Configuration = .init()
    ) throws(PERCError) {
        try self.init(
            profile: profile, ektKey: ektKey, hopKey: hopKey, store: store,
            configuration: configuration, clock: .coarseMonotonic)
    }

    init(
        profile: DoubleSRTPProfile, ektKey: KeyHandle, hopKey: HopKeyHandle, store: KeyStore,
        configuration: Configuration, clock: EKTClock
    ) throws(PERCError) {
        try configuration.validate()
        self.profile = profile
        self.configuration = configuration
        self.store = store
        self.clock = clock
        let keying = try Self.makeKeying(
            store: store, ektKey: ektKey, profile: profile, epoch: 0, generation: 0)
        scope = keying.ekt.scope
        do {
            media = try withPERCErrors {
                try DoubleSRTPSender(
                    profile: profile, endToEndKey: keying.endToEndKey, hopKey: hopKey, in: store,
                    replayWindow: configuration.replayWindow)
            }
        } catch {
            store.revoke(keying.endToEndKey)
            throw error
        }
        state = Locked(State(keying: keying, tags: EKTSenderTags(schedule: configuration.schedule)))
    }

    deinit {
        state.withLock { store.revoke($0.keying.endToEndKey) }
    }

    /// Octets `protect` adds at most: inner tag, OHB, outer tag (33) and a FullEKTField (47 or
    /// 63). Leave `MediaDistributor.maxGrowth` (3) more if the same buffer goes through a
    /// distributor.
    public var overhead: Int {
        DoubleSRTPProfile.senderOverhead
            + EKTSenderTags.fullFieldLength(wrappedKeyLength: profile.halfProfile.masterKeyLength)
    }

    /// The SPI of the current EKT key (RFC 8870 §4.2).
    public var spi: UInt16 { state.withLock { $0.keying.ekt.spi } }

    /// The epoch of the current end-to-end key under the current EKT key (RFC 8870 §4.1).
    public var epoch: UInt16 { state.withLock { $0.keying.tagKey.epoch } }

    /// The inner (end-to-end) ROC of `ssrc`, the one Full fields carry; nil before its first packet.
    public func rolloverCounter(ssrc: UInt32) -> UInt32? {
        state.withLock { $0.tags.streams[ssrc]?.index.roc }
    }

    // MARK: Media

    /// Double-protects the RTP packet in the first `length` octets of `buffer`, appends its EKT
    /// field after the outer tag (RFC 8723 §5.1, RFC 8870 §4) and returns the length of the
    /// result. `buffer.count` must leave `overhead` octets of room.
    public func protect(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> Int
    {
        let now = clock.now()
        return try state.withLock { state throws(PERCError) -> Int in
            let keying = state.keying
            try Self.checkLive(keying)
            let header = try inDoubleSRTP { () throws(DoubleSRTPError) in
                try DoubleSRTPPacket.header(buffer, length: length)
            }
            guard buffer.count >= length + overhead else {
                throw .doubleSRTP(.bufferTooSmall(needed: length + overhead))
            }
            // The Full field carries the inner ROC of this packet's original SEQ (RFC 8870 §4.3.1;
            // spec double-srtp.md §7); the inner layer estimates the same index.
            let tag: EKTSenderTags.Tag
            do throws(EKTSessionError) {
                tag = try state.tags.prepare(
                    ssrc: header.ssrc, sequence: header.sequenceNumber, key: keying.tagKey,
                    store: store, now: now)
            } catch {
                throw PERCError(error)
            }
            let doubleLength = try inDoubleSRTP { () throws(DoubleSRTPError) in
                try media.protect(buffer, length: length)
            }
            let end = tag.write(into: buffer, at: doubleLength)
            state.tags.commit(tag, key: keying.tagKey, now: now)
            return end
        }
    }

    /// Double-protects an RTP packet held in `packet` and appends its EKT field. Reserve
    /// `overhead` spare capacity to avoid a reallocation.
    public func protect(_ packet: inout [UInt8]) throws(PERCError) {
        try InPlaceTransform.apply(&packet, growth: overhead, protect)
    }

    // MARK: Repair packets and RTCP (hop by hop only)

    /// Protects a repair packet (an RTX retransmission or a FlexFEC packet, built from packets
    /// already sent double protected) with the outer layer only (RFC 8723 §5.1 step 2, §7) and
    /// appends a ShortEKTField: every SRTP packet of an EKT stream carries an EKT field (RFC 8870
    /// §4.3), and a repair packet announces no key — it has no inner layer to prove one.
    /// `buffer.count` must leave 17 octets of room.
    public func protectRepair(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> Int
    {
        try state.withLock { state throws(PERCError) -> Int in
            try Self.checkLive(state.keying)
            let needed = length + DoubleSRTPProfile.tagLength + 1
            guard buffer.count >= needed else { throw .doubleSRTP(.bufferTooSmall(needed: needed)) }
            let end = try inDoubleSRTP { () throws(DoubleSRTPError) in
                try media.protectRepair(buffer, length: length)
            }
            buffer[end] = EKTField.MessageType.short
            return end + 1
        }
    }

    /// Protects a repair packet held in `packet` and appends a ShortEKTField.
    public func protectRepair(_ packet: inout [UInt8]) throws(PERCError) {
        try InPlaceTransform.apply(
            &packet, growth: DoubleSRTPProfile.tagLength + 1, protectRepair)
    }

    /// Octets `protectRTCP` adds: the E‖index word and the GCM tag.
    public var rtcpOverhead: Int { media.rtcpOverhead }

    /// Protects the RTCP compound packet in the first `length` octets of `buffer` as SRTCP with
    /// the hop key and returns its length: RTCP is hop by hop only (RFC 8723 §6; put nothing
    /// confidential in it, RFC 8871 §4.1) and carries no EKT field (RFC 8870 §4).
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> Int
    {
        try inDoubleSRTP { () throws(DoubleSRTPError) in
            try media.protectRTCP(buffer, length: length)
        }
    }

    /// Protects an RTCP compound packet held in `packet`.
    public func protectRTCP(_ packet: inout [UInt8]) throws(PERCError) {
        try InPlaceTransform.apply(&packet, growth: rtcpOverhead, protectRTCP)
    }

    // MARK: New keys

    /// Moves to a new random end-to-end key under the same EKT key, with the epoch one higher
    /// (RFC 8870 §4.1; RFC 8871 §4.5.2: an endpoint MAY change its key at any time). The next
    /// `schedule.burst` packets of every SSRC carry it in Full fields. After 65535 rotations
    /// under one EKT key the epoch is exhausted: rekey.
    public func rotateEndToEndKey() throws(PERCError) {
        try state.withLock { state throws(PERCError) in
            let current = state.keying
            guard current.tagKey.epoch < .max else {
                throw .ekt(.invalidArgument("EKT epoch exhausted; rekey the EKT key"))
            }
            try switchKey(&state, ektKey: current.tagKey.ektKey, epoch: current.tagKey.epoch + 1)
        }
    }

    /// Moves to a new EKT key of the same conference (a new SPI) and, as RFC 8871 §4.5.2 requires,
    /// a new random end-to-end key, with the epoch back at 0 (RFC 8870 §4.1). The next
    /// `schedule.burst` packets of every SSRC carry it in Full fields under the new SPI.
    ///
    /// Throws `EKTError.duplicateSPI` if `ektKey` has the current SPI, and
    /// `EKTError.invalidArgument` for an EKT key of another scope.
    public func rekey(ektKey: KeyHandle) throws(PERCError) {
        let info: KeyStore.EKTKeyInfo
        do {
            info = try store.ektKeyInfo(ektKey)
        } catch {
            throw .ekt(error)
        }
        guard info.scope == scope else {
            throw .ekt(.invalidArgument("EKT key of scope \(info.scope), sender of \(scope)"))
        }
        try state.withLock { state throws(PERCError) in
            guard info.spi != state.keying.ekt.spi else { throw .ekt(.duplicateSPI(info.spi)) }
            try switchKey(&state, ektKey: ektKey, epoch: 0)
            state.tags.ektKeyChanged()
        }
    }

    /// Keys the inner layer with a new end-to-end key for `ektKey` and wipes the old one. On
    /// failure nothing changes.
    private func switchKey(_ state: inout State, ektKey: KeyHandle, epoch: UInt16)
        throws(PERCError)
    {
        let current = state.keying
        let keying = try Self.makeKeying(
            store: store, ektKey: ektKey, profile: profile, epoch: epoch,
            generation: current.tagKey.generation + 1)
        do {
            try withPERCErrors { try media.replaceEndToEndKey(keying.endToEndKey, in: store) }
        } catch {
            store.revoke(keying.endToEndKey)
            throw error
        }
        state.keying = keying
        store.revoke(current.endToEndKey)
    }

    /// A new random end-to-end key for `ektKey`, in its scope, with its salt.
    private static func makeKeying(
        store: KeyStore, ektKey: KeyHandle, profile: DoubleSRTPProfile, epoch: UInt16,
        generation: UInt64
    ) throws(PERCError) -> Keying {
        let info: KeyStore.EKTKeyInfo
        let key: KeyHandle
        do {
            info = try store.ektKeyInfo(ektKey)
            key = try store.makeEKTSenderMasterKey(
                ektKey: ektKey, copying: nil, for: profile.halfProfile)
        } catch {
            throw .ekt(error)
        }
        let watch = EKTKeyWatch()
        store.register(watch, for: ektKey)
        return Keying(
            ekt: info, ektWatch: watch,
            tagKey: EKTSenderTags.Key(
                ektKey: ektKey, masterKey: key, epoch: epoch, generation: generation,
                wrappedKeyLength: profile.halfProfile.masterKeyLength))
    }

    private static func checkLive(_ keying: Keying) throws(PERCError) {
        do {
            try keying.ektWatch.requireLive(deadline: keying.ekt.deadline)
        } catch {
            throw .ekt(.keyStore(error))
        }
    }
}

extension PERCSender: CustomStringConvertible {
    public var description: String {
        let (spi, epoch) = state.withLock { ($0.keying.ekt.spi, $0.keying.tagKey.epoch) }
        return "PERCSender(\(profile), \(scope), SPI \(spi), epoch \(epoch), keys redacted)"
    }
}

extension PERCSender {
    /// How a PERC sender protects its packets and when it sends FullEKTFields. There is no
    /// setting that turns the inner layer or EKT off.
    public struct Configuration: Sendable, Equatable {
        /// When FullEKTFields go out (RFC 8870 §4.6).
        public var schedule: EKTSenderSchedule
        /// The sent-index list of each layer, 64...32768 packets: an index is never protected
        /// twice under one key.
        public var replayWindow: Int

        public init(schedule: EKTSenderSchedule = .init(), replayWindow: Int = 1024) {
            self.schedule = schedule
            self.replayWindow = replayWindow
        }

        func validate() throws(PERCError) {
            do {
                try schedule.validate()
            } catch {
                throw .ekt(error)
            }
        }
    }
}
