/// A sending endpoint of double SRTP (RFC 8723 §5.1): protects its RTP packets end to end with its
/// own end-to-end (inner) key and hop by hop with the hop key it shares with its Media
/// Distributor, in place on caller buffers, for any number of SSRCs.
///
/// ```
///  RTP packet in :  | header (ext) | payload (‖ padding) |
///  double packet :  | header (ext) | payload  | inner tag | OHB | outer tag |
///                                  |<- inner ciphertext ->|
///                                  |<-------- outer ciphertext -------->|
///  inner AAD = synthetic header (X=0, no extension block); outer AAD = the whole header
/// ```
/// Each layer keeps its own ROC, highest sequence number and sent-index list per SSRC (RFC 8723
/// §3), so neither layer ever protects the same index twice. The EKT field, if EKT is in use,
/// goes after the returned packet (RFC 8723 §5.1; `EKTField.write(into:at:)`).
///
/// Every failing call throws a `DoubleSRTPError` and leaves the buffer and all state unchanged
/// (the one exception is `.underlying`, an OpenSSL-internal failure, after which the buffer's
/// payload is unspecified). When either key is revoked or expires, the sender is wiped.
public final class DoubleSRTPSender: Sendable {
    public let profile: DoubleSRTPProfile
    private let layers: KeyedLayers<DoubleSRTPSenderLayers>

    /// Creates a sender keyed from its end-to-end key (usage `.srtpMaster`, sized for
    /// `profile.halfProfile`; EKT announces it to the receivers) and its hop key to the
    /// distributor.
    ///
    /// Throws `KeyStoreError` for a key that is unknown, revoked, expired, of another usage or
    /// size, and `DoubleSRTPError.invalidArgument` for a replay window outside 64...32768.
    public init(
        profile: DoubleSRTPProfile, endToEndKey: KeyHandle, hopKey: HopKeyHandle,
        in store: KeyStore, replayWindow: Int = 1024
    ) throws {
        self.profile = profile
        let outer = try profile.outerLayer(hopKey, in: store, replayWindow: replayWindow)
        let inner = try profile.withEndToEndKey(endToEndKey, in: store) { key, salt in
            try profile.innerContext(masterKey: key, masterSalt: salt, sealing: true)
        }
        layers = KeyedLayers(
            DoubleSRTPSenderLayers(inner: inner.result, key: endToEndKey, outer: outer.engine),
            deadline: min(inner.deadline, outer.deadline))
        store.register(layers, for: hopKey.key)
        try watch(endToEndKey, in: store)
    }

    /// Octets `protect` adds: inner tag, empty OHB, outer tag (33). Leave
    /// `DoubleSRTPProfile.maxOverhead` (36) if the same buffer also goes through a distributor.
    public var overhead: Int { DoubleSRTPProfile.senderOverhead }

    // MARK: Media

    /// Protects the RTP packet in the first `length` octets of `buffer` with both layers and
    /// returns the double packet's length. `buffer.count` must leave `overhead` octets of room.
    public func protect(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Int
    {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        try DoubleSRTPPacket.validatePadding(header, buffer, length: length)
        try DoubleSRTPPacket.requireCapacity(buffer, length + DoubleSRTPProfile.senderOverhead)
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try layers.protect(buffer, length: length, header: header)
        }
    }

    /// Protects an RTP packet held in `packet`. Reserve `overhead` spare capacity to avoid a
    /// reallocation.
    public func protect(_ packet: inout [UInt8]) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: overhead, protect)
    }

    // MARK: Streams

    /// The end-to-end (inner) rollover counter of an SSRC: the ROC a FullEKTField carries
    /// (RFC 8870 §4.1; see spec double-srtp.md §7). Nil before the SSRC's first packet.
    public func rolloverCounter(ssrc: UInt32) throws(DoubleSRTPError) -> UInt32? {
        try layers.withLayers { layers in layers.innerStreams[ssrc]?.rtpIndex.roc }
    }

    /// Sets the rollover counter of both layers of an SSRC, for a stream that continues after a
    /// restart (RFC 3711 §3.3.1). The next packet's SEQ starts the stream again.
    public func setRolloverCounter(_ roc: UInt32, ssrc: UInt32) throws(DoubleSRTPError) {
        try layers.withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.setRolloverCounter(roc, ssrc: ssrc, direction: .outbound)
            }
            layers.innerStream(ssrc).rtpIndex.reset(roc: roc)
        }
    }

    func withLayers<R>(_ body: (DoubleSRTPSenderLayers) throws(DoubleSRTPError) -> R)
        throws(DoubleSRTPError) -> R
    {
        try layers.withLayers(body)
    }

    // MARK: A new end-to-end key

    /// Keys the inner layer with the end-to-end key `key` from the next packet on (EKT: a new key
    /// per EKT key, RFC 8871 §4.5.2; `PERCSender`). Each SSRC's inner ROC, highest SEQ and sent
    /// list carry on, so the new key continues the stream where the old one stopped, as a receiver
    /// requires (RFC 8871 §8.2.2); the hop layer and its state are untouched (a new sender on the
    /// same hop key would reuse its GCM nonces). The replaced inner context is wiped; revoking the
    /// replaced key no longer affects the sender, revoking or expiring `key` wipes it.
    func replaceEndToEndKey(_ key: KeyHandle, in store: KeyStore) throws {
        let (inner, _) = try profile.withEndToEndKey(key, in: store) { key, salt in
            try profile.innerContext(masterKey: key, masterSalt: salt, sealing: true)
        }
        do {
            try layers.withLayers { layers in layers.replaceInner(inner, key: key) }
        } catch {
            inner.wipe()
            throw error
        }
        try watch(key, in: store)
    }

    /// Wipes the sender when `key`, the end-to-end key of its inner layer, is revoked or expires.
    private func watch(_ key: KeyHandle, in store: KeyStore) throws(DoubleSRTPError) {
        let watch = EndToEndKeyWatch(layers, key: key)
        try layers.withLayers { layers in layers.innerWatch = watch }
        store.register(watch, for: key)
    }
}

/// Wipes a sender when the end-to-end key its inner layer is keyed with is revoked or expires —
/// but not for a key the sender has since replaced.
final class EndToEndKeyWatch: KeyDependent {
    private weak let layers: KeyedLayers<DoubleSRTPSenderLayers>?
    private let key: KeyHandle

    init(_ layers: KeyedLayers<DoubleSRTPSenderLayers>, key: KeyHandle) {
        self.layers = layers
        self.key = key
    }

    func keyInvalidated(_ reason: KeyInvalidation) {
        layers?.invalidate(reason == .expired ? .keyExpired : .keyRevoked) { $0.innerKey == key }
    }
}

extension DoubleSRTPSender: CustomStringConvertible {
    public var description: String { "DoubleSRTPSender(\(profile), keys redacted)" }
}

/// The keyed layers of a sender, used under its lock.
final class DoubleSRTPSenderLayers: DoubleSRTPLayers, @unchecked Sendable {
    private(set) var inner: InnerContext
    /// The end-to-end key `inner` is keyed with.
    private(set) var innerKey: KeyHandle
    /// What wipes the sender when `innerKey` goes (the store holds it weakly).
    var innerWatch: EndToEndKeyWatch?
    /// Per SSRC: the inner ROC, highest SEQ and sent indices (RFC 8723 §3).
    private(set) var innerStreams: [UInt32: OutboundStream] = [:]
    /// The outer layer; its outbound streams are the outer per-SSRC state.
    let outer: OpenSSLEngine

    init(inner: InnerContext, key: KeyHandle, outer: OpenSSLEngine) {
        self.inner = inner
        innerKey = key
        self.outer = outer
    }

    /// Keys the inner layer with `context` (of `key`) and wipes the context it replaces.
    func replaceInner(_ context: InnerContext, key: KeyHandle) {
        inner.wipe()
        inner = context
        innerKey = key
    }

    func wipe() {
        inner.wipe()
        outer.wipe()
        innerStreams = [:]
    }

    func innerStream(_ ssrc: UInt32) -> OutboundStream {
        if let stream = innerStreams[ssrc] { return stream }
        let stream = OutboundStream(replayWindow: outer.replayWindowSize)
        innerStreams[ssrc] = stream
        return stream
    }

    /// RFC 8723 §5.1 steps 3–6. The caller parsed `header`, checked the padding and the capacity.
    func protect(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(DoubleSRTPError) -> Int
    {
        let innerKeys = try inner.keys
        let outerKeys = try inLayer(.outer) { () throws(SRTPError) in try outer.srtp.seal }
        let ssrc = header.ssrc
        // Each layer estimates its index from SEQ as a receiver would (RFC 3711 §3.3.1) and
        // refuses an index it already used (keystream reuse, RFC 3711 §9.2) or a ROC wrap.
        let innerStream = innerStreams[ssrc]
        guard
            let innerIndex = (innerStream?.rtpIndex ?? RolloverEstimator())
                .estimate(header.sequenceNumber)
        else { throw .indexExhausted(.inner) }
        if let innerStream {
            try DoubleSRTPPacket.admit(innerStream.sentRTP.check(innerIndex.index), .inner)
        }
        let outerStream = outer.outbound[ssrc]
        guard
            let outerIndex = (outerStream?.rtpIndex ?? RolloverEstimator())
                .estimate(header.sequenceNumber)
        else { throw .indexExhausted(.outer) }
        if let outerStream {
            try DoubleSRTPPacket.admit(outerStream.sentRTP.check(outerIndex.index), .outer)
        }

        let tag = DoubleSRTPProfile.tagLength
        let innerTagStart = length
        let ohbOffset = length + tag
        let outerTagStart = ohbOffset + 1
        // Steps 3–4: the inner AEAD over the synthetic packet; plaintext = payload ‖ padding.
        try SyntheticHeader.with(
            UnsafeRawBufferPointer(packet), header: header, fields: ModifiableHeaderFields(header)
        ) { aad throws(DoubleSRTPError) in
            try inLayer(.inner) { () throws(SRTPError) in
                try innerKeys.seal(
                    ssrc: ssrc, index: innerIndex.index, aad: aad,
                    data: UnsafeMutableRawBufferPointer(rebasing: packet[header.length..<length]),
                    tag: UnsafeMutableRawBufferPointer(
                        rebasing: packet[innerTagStart..<innerTagStart + tag]))
            }
        }
        // Step 5: the original header never left the buffer; append the empty OHB.
        OriginalHeaderBlock.empty.write(into: packet, at: ohbOffset)
        // Step 6: the outer AEAD; AAD = the whole header, extension block included.
        try inLayer(.outer) { () throws(SRTPError) in
            try outerKeys.seal(
                ssrc: ssrc, index: outerIndex.index,
                aad: UnsafeRawBufferPointer(rebasing: packet[..<header.length]),
                data: UnsafeMutableRawBufferPointer(
                    rebasing: packet[header.length..<outerTagStart]),
                tag: UnsafeMutableRawBufferPointer(
                    rebasing: packet[outerTagStart..<outerTagStart + tag]))
        }

        let committedInner = innerStream ?? self.innerStream(ssrc)
        committedInner.rtpIndex.update(innerIndex)
        committedInner.sentRTP.accept(innerIndex.index)
        let committedOuter = outerStream ?? outer.outboundStream(ssrc)
        committedOuter.rtpIndex.update(outerIndex)
        committedOuter.sentRTP.accept(outerIndex.index)
        return outerTagStart + tag
    }
}
