/// The receiving side of a PERC endpoint (RFC 8871): double SRTP (RFC 8723) whose end-to-end keys
/// come only from the FullEKTFields of the conference's EKT keys (RFC 8870), behind the hop key the
/// endpoint shares with its Media Distributor.
///
/// ```
///  | RTP header (ext) | inner ciphertext | inner tag | OHB | outer tag | EKT field |
///  1. the EKT field: Short → the SSRC's key; Full → the key it carries, under an EKT key of
///     `scope` (RFC 8870 §4.3.2); another type with a length → discarded (§4.1)
///  2. outer open with the hop key, OHB, synthetic header (RFC 8723 §5.3 steps 1–4)
///  3. inner open with the sender's key at the original SEQ and the inner ROC (step 5)
/// ```
/// - No downgrade: the only media this receiver hands back passed both layers, the inner one
///   under an end-to-end key a FullEKTField of an EKT key of `scope` delivered. It has no call to
///   take an end-to-end key any other way, to skip the inner layer, or to treat a repair packet
///   as media. Whatever fails is a typed `PERCError` (see "PERC endpoints" in the README).
/// - Keys: a key from a FullEKTField is installed for its SSRC only once the packet carrying it
///   passes both layers with it, with all the rules of `EKTReceiver`: epochs per SPI and SSRC,
///   a keyed fingerprint history of replaced keys (the epoch is not authenticated), the SSRC's
///   inner index and replay list carried across keys so that an older packet under any key is a
///   replay, keys announced before use held until used, and the rekey overlap
///   (`configuration.rekeyOverlap`).
/// - Each layer keeps its own ROC and replay list per SSRC (RFC 8723 §3): the outer one for the
///   hop, the inner one for the sender's stream (RFC 8871 §4.4, §8.2.2).
/// - Ending the conference (`KeyStore.endConference(scope)`) wipes the EKT keys and every learned
///   key and inner context; the hop key belongs to its own scope.
///
/// Thread-safe; calls are serialised by a lock.
public final class PERCReceiver: Sendable {
    public let profile: DoubleSRTPProfile
    /// The conference whose EKT keys this receiver uses and in which it stores learned keys.
    public let scope: KeyScope
    public let configuration: Configuration
    private let clock: EKTClock
    /// The hop: its outer layer only. Never given an end-to-end key (`setEndToEndKey` is not
    /// reachable through this type): the inner keys live in `core`, from EKT.
    private let hop: DoubleSRTPReceiver
    private let core: Locked<Core>

    private typealias Core = EKTReceiverCore<PERCReceiveKeying>

    /// Creates a receiver behind `hopKey` (the distributor → endpoint direction) for the senders
    /// of `scope`, whose EKT keys `store` holds.
    public convenience init(
        profile: DoubleSRTPProfile, hopKey: HopKeyHandle, store: KeyStore, scope: KeyScope,
        configuration: Configuration = .init()
    ) throws(PERCError) {
        try self.init(
            profile: profile, hopKey: hopKey, store: store, scope: scope,
            configuration: configuration, clock: .coarseMonotonic)
    }

    init(
        profile: DoubleSRTPProfile, hopKey: HopKeyHandle, store: KeyStore, scope: KeyScope,
        configuration: Configuration, clock: EKTClock
    ) throws(PERCError) {
        try configuration.validate()
        self.profile = profile
        self.scope = scope
        self.configuration = configuration
        self.clock = clock
        let hop = try withPERCErrors {
            try DoubleSRTPReceiver(
                profile: profile, hopKey: hopKey, in: store,
                replayWindow: configuration.replayWindow)
        }
        self.hop = hop
        do {
            core = Locked(
                try Core(
                    keying: PERCReceiveKeying(hop: hop), store: store, scope: scope,
                    overlap: EKTClock.nanoseconds(configuration.rekeyOverlap),
                    historyLimit: configuration.retiredKeyHistory))
        } catch {
            throw PERCError(error)
        }
    }

    deinit {
        core.withLock { $0.forgetAll() }
    }

    /// Runs `body` on the core under its lock.
    private func withCore<R>(_ body: (inout Core) throws(Core.Failure) -> R) throws(PERCError)
        -> R
    {
        do {
            return try core.withLock { core throws(Core.Failure) -> R in try body(&core) }
        } catch {
            throw PERCError(error)
        }
    }

    // MARK: Media

    /// Receives the double packet with its EKT field in the first `length` octets of `buffer`.
    /// The buffer then holds the RTP packet described by the result.
    public func receive(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> PERCReceived
    {
        let now = clock.now()
        return try withCore { core throws(Core.Failure) -> PERCReceived in
            try core.unprotectRTP(buffer, length: length, now: now)
        }
    }

    /// Receives the double packet with its EKT field held in `packet`, leaving the RTP packet.
    @discardableResult
    public func receive(_ packet: inout [UInt8]) throws(PERCError) -> PERCReceived {
        try InPlaceTransform.apply(&packet, growth: 0) { buffer, length throws(PERCError) in
            let received = try receive(buffer, length: length)
            return (received.length, received)
        }
    }

    // MARK: Repair packets and RTCP (hop by hop only)

    /// Removes the EKT field and the outer layer from a repair packet (RTX or FlexFEC, known as
    /// such from its negotiated SSRC or payload type) and returns the length of what is left.
    /// That is not media: the repair scheme rebuilds from it a double packet, which goes through
    /// `receive` like any other (RFC 8723 §5.3 step 2, §7). The EKT field is not processed: a
    /// repair packet proves no end-to-end key.
    public func receiveRepair(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> Int
    {
        let tag: EKTReceivedTag
        do {
            tag = try EKTReceivedTag(endingAt: length, in: UnsafeRawBufferPointer(buffer))
        } catch {
            throw .ekt(error)
        }
        return try inDoubleSRTP { () throws(DoubleSRTPError) in
            try hop.receiveRepair(buffer, length: length - tag.length)
        }
    }

    /// Removes the EKT field and the outer layer from a repair packet held in `packet`.
    public func receiveRepair(_ packet: inout [UInt8]) throws(PERCError) {
        try InPlaceTransform.apply(&packet, growth: 0, receiveRepair)
    }

    /// Unprotects the SRTCP packet in the first `length` octets of `buffer` and returns the RTCP
    /// length. RTCP is hop by hop only (RFC 8723 §6) and carries no EKT field (RFC 8870 §4): it
    /// comes from the distributor, which may have written it (RFC 8871 §8.2.5).
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(PERCError) -> Int
    {
        try inDoubleSRTP { () throws(DoubleSRTPError) in
            try hop.unprotectRTCP(buffer, length: length)
        }
    }

    /// Unprotects an SRTCP packet held in `packet`.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(PERCError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTCP)
    }

    // MARK: Rekey

    /// Tells the receiver that `ektKey`, an EKT key of its scope, was just added (e.g. from a DTLS
    /// `EKTKey` message): older EKT keys of the scope it has seen are retired
    /// `configuration.rekeyOverlap` from now, and with them the end-to-end keys they delivered.
    public func ektKeyAdded(_ ektKey: KeyHandle) throws(PERCError) {
        let now = clock.now()
        try withCore { core throws(Core.Failure) in try core.ektKeyAdded(ektKey, now: now) }
    }

    // MARK: Streams

    /// What the receiver has learned for `ssrc` (its ROC is the inner one), or nil if it has no
    /// end-to-end key for it.
    public func stream(ssrc: UInt32) -> EKTReceivedStream? {
        let now = clock.now()
        return core.withLock { $0.stream(ssrc: ssrc, now: now) }
    }

    /// The SSRCs the receiver has an end-to-end key for.
    public var ssrcs: [UInt32] {
        let now = clock.now()
        return core.withLock { $0.ssrcs(now: now) }
    }
}

extension PERCReceiver: CustomStringConvertible {
    public var description: String {
        let count = core.withLock { $0.streams.count }
        return "PERCReceiver(\(profile), \(scope), \(count) SSRCs, keys redacted)"
    }
}

extension PERCReceiver {
    /// How a PERC receiver checks packets and handles rekeys. There is no setting that turns the
    /// inner layer or EKT off.
    public struct Configuration: Sendable, Equatable {
        /// The replay window of each layer, 64...32768 packets (RFC 3711 §3.3.2).
        public var replayWindow: Int
        /// How long older EKT keys stay accepted after the receiver learns of a newer one
        /// (see `EKTReceiver.Configuration.rekeyOverlap`). Default 2 s.
        public var rekeyOverlap: Duration
        /// How many replaced end-to-end keys each SSRC remembers (by keyed fingerprint) to refuse
        /// them if they come back with a forged epoch. Default 32.
        public var retiredKeyHistory: Int

        public init(
            replayWindow: Int = 1024, rekeyOverlap: Duration = .seconds(2),
            retiredKeyHistory: Int = 32
        ) {
            self.replayWindow = replayWindow
            self.rekeyOverlap = rekeyOverlap
            self.retiredKeyHistory = retiredKeyHistory
        }

        func validate() throws(PERCError) {
            do {
                try EKTReceiver.Configuration.validate(
                    rekeyOverlap: rekeyOverlap, retiredKeyHistory: retiredKeyHistory)
            } catch {
                throw .ekt(error)
            }
        }
    }
}
