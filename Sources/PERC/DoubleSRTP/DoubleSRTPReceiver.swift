internal import CPERCShims

/// A receiving endpoint of double SRTP (RFC 8723 §5.3): removes the hop-by-hop (outer) layer with
/// the hop key it shares with its Media Distributor, then the end-to-end (inner) layer with the
/// key of the packet's sender, in place on caller buffers.
///
/// ```
///  double packet :  | header (ext) | inner ciphertext | inner tag | OHB | outer tag |
///  1. outer open (hop key, received SEQ, outer ROC)      → inner ct ‖ inner tag ‖ OHB
///  2. (repair packets stop here: `receiveRepair`)
///  3. OHB and inner tag parsed from the end
///  4. synthetic header = received header, PT/SEQ/M from the OHB, X = 0, no extension block
///  5. inner open (sender's key, ORIGINAL SEQ, inner ROC) → payload
///  RTP packet out:  | header (ext, M = sender's) | payload (‖ padding) |
/// ```
/// Each sender SSRC has its own end-to-end key and inner ROC/replay state; each SSRC also has its
/// own outer ROC/replay state for the hop (RFC 8723 §3; RFC 8871 §4.4, §8.2.2). End-to-end keys
/// are installed per SSRC with `setEndToEndKey(_:in:ssrc:rolloverCounter:)`. If EKT is in use,
/// strip the EKT field before `receive` (`EKTField.parse` gives its length) — or use
/// `PERCReceiver`, which learns the end-to-end keys from EKT and takes no other.
///
/// State is committed only when both layers verified. A packet failing anywhere — outer, OHB,
/// inner — throws a `DoubleSRTPError` with the buffer as it came in (the outer ciphertext is put
/// back) and no replay window, ROC or key changed.
public final class DoubleSRTPReceiver: Sendable {
    public let profile: DoubleSRTPProfile
    let layers: KeyedLayers<DoubleSRTPReceiverLayers>

    /// Creates a receiver keyed with its hop key from the distributor (the distributor→endpoint
    /// direction). Throws `KeyStoreError` for a key that is unknown, revoked, expired, of another
    /// usage or size, and `DoubleSRTPError.invalidArgument` for a replay window outside
    /// 64...32768.
    public init(
        profile: DoubleSRTPProfile, hopKey: HopKeyHandle, in store: KeyStore,
        replayWindow: Int = 1024
    ) throws {
        self.profile = profile
        let outer = try profile.outerLayer(hopKey, in: store, replayWindow: replayWindow)
        layers = KeyedLayers(
            DoubleSRTPReceiverLayers(profile: profile, outer: outer.engine),
            deadline: outer.deadline)
        store.register(layers, for: hopKey.key)
    }

    // MARK: Media

    /// Removes both layers from the double packet in the first `length` octets of `buffer`.
    /// The buffer then holds the RTP packet described by the result (see `DoubleSRTPReceived`).
    public func receive(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> DoubleSRTPReceived
    {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try layers.receive(buffer, length: length, header: header, sender: nil)
        }
    }

    /// `receive` with the inner layer keyed by `sender`, a stream not installed here (an
    /// end-to-end key learned through EKT, `PERCReceiver`).
    func receive(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, sender: InnerReceiveStream
    ) throws(DoubleSRTPError) -> DoubleSRTPReceived {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try layers.receive(buffer, length: length, header: header, sender: sender)
        }
    }

    /// Removes both layers from the double packet held in `packet`.
    @discardableResult
    public func receive(_ packet: inout [UInt8]) throws(DoubleSRTPError) -> DoubleSRTPReceived {
        try InPlaceTransform.apply(&packet, growth: 0) {
            buffer, length throws(DoubleSRTPError) in
            let received = try receive(buffer, length: length)
            return (received.length, received)
        }
    }

    // MARK: Streams

    /// The rollover counter of an SSRC in one layer, or nil before its first packet (inner: before
    /// its end-to-end key was installed).
    public func rolloverCounter(ssrc: UInt32, layer: DoubleSRTPLayer)
        throws(DoubleSRTPError) -> UInt32?
    {
        try layers.withLayers { layers in
            switch layer {
            case .outer: layers.outer.rolloverCounter(ssrc: ssrc, direction: .inbound)
            case .inner: layers.senders[ssrc]?.stream.rtpIndex.roc
            }
        }
    }

    /// Sets the hop's rollover counter of an SSRC, for a receiver joining the hop late
    /// (RFC 3711 §3.3.1). The end-to-end ROC comes with the end-to-end key.
    public func setOuterRolloverCounter(_ roc: UInt32, ssrc: UInt32) throws(DoubleSRTPError) {
        try layers.withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.setRolloverCounter(roc, ssrc: ssrc, direction: .inbound)
            }
        }
    }
}

extension DoubleSRTPReceiver: CustomStringConvertible {
    public var description: String { "DoubleSRTPReceiver(\(profile), keys redacted)" }
}

/// What a receiver holds for one sending SSRC: that sender's end-to-end context and the inner
/// ROC, highest SEQ and replay list (RFC 8723 §3, §5.3 step 5). Used under the receiver's lock
/// (and, for an EKT-learned key, `PERCReceiver`'s).
final class InnerReceiveStream: @unchecked Sendable {
    let ssrc: UInt32
    let context: InnerContext
    let stream: InboundStream
    /// For a key that took over the stream of an earlier key of the SSRC (EKT,
    /// `PERCReceiveContext.continueStream`): the highest inner index seen under that key. Every
    /// packet must be ahead of it, or it is `.replayed(.inner)`.
    var continuesAfter: UInt64?
    /// Expiry of the end-to-end key, coarse monotonic ns; `UInt64.max` for none.
    let deadline: UInt64
    /// What the key store holds (weakly) to wipe the context with its key. Not the stream
    /// itself: a weakly referenced object gets a side table, which makes every retain and
    /// release of it slow, and `receive` retains the stream on every packet.
    let keyWatch: InnerKeyWatch

    init(
        ssrc: UInt32, context: InnerContext, rolloverCounter: UInt32, replayWindow: Int,
        deadline: UInt64, owner: KeyedLayers<DoubleSRTPReceiverLayers>?
    ) {
        self.ssrc = ssrc
        self.context = context
        stream = InboundStream(replayWindow: replayWindow)
        stream.rtpIndex.reset(roc: rolloverCounter)
        self.deadline = deadline
        keyWatch = InnerKeyWatch(ssrc: ssrc, context: context, owner: owner)
    }

    var isExpired: Bool { deadline != .max && perc_coarse_monotonic_ns() >= deadline }
}

/// Wipes an inner stream's context, and removes the stream from its receiver, when its
/// end-to-end key is revoked or expires. The stream holds it; the key store holds it weakly.
final class InnerKeyWatch: KeyDependent, @unchecked Sendable {
    private let ssrc: UInt32
    private let context: InnerContext
    /// The receiver whose lock guards the context, and which may have it installed.
    private weak var owner: KeyedLayers<DoubleSRTPReceiverLayers>?

    init(ssrc: UInt32, context: InnerContext, owner: KeyedLayers<DoubleSRTPReceiverLayers>?) {
        self.ssrc = ssrc
        self.context = context
        self.owner = owner
    }

    func keyInvalidated(_ reason: KeyInvalidation) {
        // Under the receiver's lock: no packet is being opened with the context meanwhile.
        _ = try? owner?.withLayers { layers in
            layers.removeSender(ssrc: ssrc, keyedWith: context)
            context.wipe()
        }
        context.wipe()  // the receiver is gone or wiped: nobody else uses the context
    }
}

/// The keyed layers of a receiver, used under its lock.
final class DoubleSRTPReceiverLayers: DoubleSRTPLayers, @unchecked Sendable {
    let profile: DoubleSRTPProfile
    /// The outer layer; its inbound streams are the hop's per-SSRC state.
    let outer: OpenSSLEngine
    /// The end-to-end context and inner state of each sending SSRC.
    private(set) var senders: [UInt32: InnerReceiveStream] = [:]

    init(profile: DoubleSRTPProfile, outer: OpenSSLEngine) {
        self.profile = profile
        self.outer = outer
    }

    func wipe() {
        outer.wipe()
        for sender in senders.values { sender.context.wipe() }
        senders = [:]
    }

    /// Installs `sender`, replacing (and wiping) whatever its SSRC had.
    func install(_ sender: InnerReceiveStream) {
        if let previous = senders.updateValue(sender, forKey: sender.ssrc), previous !== sender {
            previous.context.wipe()
        }
    }

    /// Removes the sender of `ssrc` if it is still the one keyed with `context` (each inner
    /// stream has its own context).
    func removeSender(ssrc: UInt32, keyedWith context: InnerContext) {
        if senders[ssrc]?.context === context { senders[ssrc] = nil }
    }

    func removeSender(ssrc: UInt32) {
        senders.removeValue(forKey: ssrc)?.context.wipe()
    }

    /// RFC 8723 §5.3 steps 1–5 with state committed only after both layers verified. The inner
    /// layer is keyed by `sender`, or for nil by the end-to-end key installed for the SSRC.
    func receive(
        _ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader,
        sender explicit: InnerReceiveStream?
    ) throws(DoubleSRTPError) -> DoubleSRTPReceived {
        let tag = DoubleSRTPProfile.tagLength
        // Both tags and at least the one-octet OHB follow the header.
        guard length - header.length >= DoubleSRTPProfile.senderOverhead else {
            throw .malformed(.truncated)
        }
        let ssrc = header.ssrc
        let sender: InnerReceiveStream
        if let explicit { sender = explicit } else { sender = try installedSender(ssrc) }
        let outerKeys = try inLayer(.outer) { () throws(SRTPError) in try outer.srtp }

        // Step 1: the outer layer. RFC 3711 §3.3: estimate the index, check the hop's replay list.
        let outerStream = outer.inbound[ssrc]
        guard
            let outerIndex = (outerStream?.rtpIndex ?? RolloverEstimator())
                .estimate(header.sequenceNumber)
        else { throw .indexExhausted(.outer) }
        if let outerStream {
            try DoubleSRTPPacket.admit(outerStream.receivedRTP.check(outerIndex.index), .outer)
        }
        let outerTagStart = length - tag
        let aad = UnsafeRawBufferPointer(rebasing: packet[..<header.length])
        let outerPlaintext = UnsafeMutableRawBufferPointer(
            rebasing: packet[header.length..<outerTagStart])
        let outerTag = UnsafeMutableRawBufferPointer(rebasing: packet[outerTagStart..<length])
        try inLayer(.outer) { () throws(SRTPError) in
            try outerKeys.open.open(
                ssrc: ssrc, index: outerIndex.index, aad: aad, data: outerPlaintext,
                tag: UnsafeRawBufferPointer(outerTag))
        }

        // Steps 3–5; any failure from here puts the outer ciphertext back.
        let inner: InnerOutcome
        do {
            inner = try openInner(
                packet, header: header, outerTagStart: outerTagStart, sender: sender)
        } catch {
            DoubleSRTPPacket.restoreOuter(
                outerKeys, ssrc: ssrc, index: outerIndex, aad: aad, data: outerPlaintext,
                tag: outerTag)
            throw error
        }

        let committedOuter = outerStream ?? outer.inboundStream(ssrc)
        committedOuter.rtpIndex.update(outerIndex)
        committedOuter.receivedRTP.accept(outerIndex.index)
        sender.stream.rtpIndex.update(inner.index)
        sender.stream.receivedRTP.accept(inner.index.index)

        // RFC 8723 §5.3: use the inner data, except the outer PT (codec) and SEQ (ordering).
        packet[1] = (packet[1] & 0x7F) | (inner.original.marker ? 0x80 : 0)
        return DoubleSRTPReceived(
            length: inner.payloadEnd, headerLength: header.length, ssrc: ssrc,
            outerPayloadType: header.payloadType, outerSequenceNumber: header.sequenceNumber,
            originalPayloadType: inner.original.payloadType,
            originalSequenceNumber: inner.original.sequenceNumber,
            originalMarker: inner.original.marker)
    }

    /// The end-to-end key installed for `ssrc`, unless it expired.
    private func installedSender(_ ssrc: UInt32) throws(DoubleSRTPError) -> InnerReceiveStream {
        guard let installed = senders[ssrc] else { throw .unknownSSRC(ssrc) }
        if installed.isExpired {
            removeSender(ssrc: ssrc)
            throw .keyExpired
        }
        return installed
    }

    private struct InnerOutcome {
        let index: RolloverEstimator.Estimate
        let original: ModifiableHeaderFields
        let payloadEnd: Int
    }

    /// Steps 3–5 on the outer plaintext `packet[header.length..<outerTagStart]`. Changes no state;
    /// on failure the outer plaintext is as it was (perc_gcm_open restores the inner ciphertext).
    private func openInner(
        _ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, outerTagStart: Int,
        sender: InnerReceiveStream
    ) throws(DoubleSRTPError) -> InnerOutcome {
        let tag = DoubleSRTPProfile.tagLength
        // Step 3: the OHB from the end, then the inner tag before it.
        let ohb = try OriginalHeaderBlock(
            parsingEndOf: UnsafeRawBufferPointer(packet), end: outerTagStart,
            start: header.length)
        let innerTagEnd = outerTagStart - ohb.encodedLength
        let innerTagStart = innerTagEnd - tag
        guard innerTagStart >= header.length else { throw .malformed(.truncated) }
        let original = ohb.originals(of: ModifiableHeaderFields(header))

        let keys = try sender.context.keys
        // Step 5: the inner index from the ORIGINAL SEQ and the inner ROC (RFC 8723 §3).
        guard let index = sender.stream.rtpIndex.estimate(original.sequenceNumber) else {
            throw .indexExhausted(.inner)
        }
        // A key that took over from an earlier one continues its stream (RFC 8871 §8.2.2).
        if let after = sender.continuesAfter, index.index <= after { throw .replayed(.inner) }
        try DoubleSRTPPacket.admit(sender.stream.receivedRTP.check(index.index), .inner)
        // Step 4: the synthetic header is the AAD.
        try SyntheticHeader.with(UnsafeRawBufferPointer(packet), header: header, fields: original) {
            aad throws(DoubleSRTPError) in
            try inLayer(.inner) { () throws(SRTPError) in
                try keys.open(
                    ssrc: header.ssrc, index: index.index, aad: aad,
                    data: UnsafeMutableRawBufferPointer(
                        rebasing: packet[header.length..<innerTagStart]),
                    tag: UnsafeRawBufferPointer(rebasing: packet[innerTagStart..<innerTagEnd]))
            }
        }
        return InnerOutcome(
            index: index, original: original, payloadEnd: innerTagStart)
    }
}
