/// Relaying double packets (RFC 8723 §5.2): outer open with the ingress key, rewrite, OHB update,
/// outer seal with the egress key.
extension MediaDistributor {
    // MARK: One ingress to one egress

    /// Relays the double packet in the first `length` octets of `buffer` (EKT field included when
    /// `ektInUse`) from `ingress` to `egress`, setting the header values of `rewrite`, and returns
    /// the forwarded length. `buffer.count` must leave `maxGrowth` (3) octets of room.
    ///
    /// Nothing is committed unless the whole relay succeeds: a packet that fails on the ingress
    /// (authentication, replay, OHB) or whose rewritten SEQ was already sent on the egress changes
    /// no state and leaves the buffer as it came in.
    public func relay(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from ingress: Ingress,
        to egress: Egress, rewrite: HeaderRewrite = .none
    ) throws(DoubleSRTPError) -> Int {
        try rewrite.validate()
        let ekt = try ektField(buffer, length: length)
        let header = try DoubleSRTPPacket.header(buffer, length: ekt.lowerBound)
        try DoubleSRTPPacket.requireCapacity(buffer, length + Self.maxGrowth)
        let new = rewrite.applied(to: ModifiableHeaderFields(header))
        return try withIngress(ingress) { ingressLayer throws(DoubleSRTPError) in
            try withEgress(egress) { egressLayer throws(DoubleSRTPError) in
                // Every egress check runs before the ingress layer is opened.
                let egressKeys = try Self.sealingKeys(egressLayer)
                let egressIndex = try Self.egressIndex(
                    egressLayer, ssrc: header.ssrc, sequence: new.sequenceNumber)
                let opened = try Self.openIngress(
                    buffer, header: header, srtpEnd: ekt.lowerBound, ingress: ingressLayer)
                let newOHB = opened.ohb.updated(from: ModifiableHeaderFields(header), to: new)
                let forwardedLength = try Self.sealEgress(
                    buffer, header: header, fields: new, ohb: newOHB, ohbStart: opened.ohbStart,
                    ekt: ekt, keys: egressKeys, index: egressIndex)
                Self.commitIngress(ingressLayer, ssrc: header.ssrc, opened.index)
                Self.commitEgress(egressLayer, ssrc: header.ssrc, egressIndex)
                return forwardedLength
            }
        }
    }

    /// Relays the double packet held in `packet`.
    public func relay(
        _ packet: inout [UInt8], from ingress: Ingress, to egress: Egress,
        rewrite: HeaderRewrite = .none
    ) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: Self.maxGrowth) {
            buffer, length throws(DoubleSRTPError) in
            try relay(buffer, length: length, from: ingress, to: egress, rewrite: rewrite)
        }
    }

    // MARK: One ingress to many egresses

    /// Removes the ingress layer from the double packet in the first `length` octets of
    /// `buffer`, once, and commits the ingress state. Copy the opened packet for each receiver
    /// and `forward` each copy to its egress.
    public func open(_ buffer: UnsafeMutableRawBufferPointer, length: Int, from ingress: Ingress)
        throws(DoubleSRTPError) -> OpenedPacket
    {
        let ekt = try ektField(buffer, length: length)
        let header = try DoubleSRTPPacket.header(buffer, length: ekt.lowerBound)
        return try withIngress(ingress) { ingressLayer throws(DoubleSRTPError) in
            let opened = try Self.openIngress(
                buffer, header: header, srtpEnd: ekt.lowerBound, ingress: ingressLayer)
            Self.commitIngress(ingressLayer, ssrc: header.ssrc, opened.index)
            let ohbEnd = opened.ohbStart + opened.ohb.encodedLength
            // The outer tag goes; the EKT field follows the OHB.
            Self.move(buffer, ekt, to: ohbEnd)
            let received = ModifiableHeaderFields(header)
            let original = opened.ohb.originals(of: received)
            return OpenedPacket(
                length: ohbEnd + ekt.count, ssrc: header.ssrc,
                payloadType: received.payloadType, sequenceNumber: received.sequenceNumber,
                marker: received.marker, originalPayloadType: original.payloadType,
                originalSequenceNumber: original.sequenceNumber, originalMarker: original.marker)
        }
    }

    /// Protects an opened packet (see `open`; its header extensions may have been changed) for
    /// `egress`, setting the header values of `rewrite`, and returns the forwarded length.
    /// `buffer.count` must leave 16 + `maxGrowth` octets of room.
    public func forward(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, to egress: Egress,
        rewrite: HeaderRewrite = .none
    ) throws(DoubleSRTPError) -> Int {
        try rewrite.validate()
        let ekt = try ektField(buffer, length: length)
        let header = try DoubleSRTPPacket.header(buffer, length: ekt.lowerBound)
        let ohb = try OriginalHeaderBlock(
            parsingEndOf: UnsafeRawBufferPointer(buffer), end: ekt.lowerBound,
            start: header.length)
        let ohbStart = ekt.lowerBound - ohb.encodedLength
        guard ohbStart - DoubleSRTPProfile.tagLength >= header.length else {
            throw .malformed(.truncated)
        }
        let new = rewrite.applied(to: ModifiableHeaderFields(header))
        let newOHB = ohb.updated(from: ModifiableHeaderFields(header), to: new)
        try DoubleSRTPPacket.requireCapacity(
            buffer, ohbStart + newOHB.encodedLength + DoubleSRTPProfile.tagLength + ekt.count)
        return try withEgress(egress) { egressLayer throws(DoubleSRTPError) in
            let keys = try Self.sealingKeys(egressLayer)
            let index = try Self.egressIndex(
                egressLayer, ssrc: header.ssrc, sequence: new.sequenceNumber)
            let forwardedLength = try Self.sealEgress(
                buffer, header: header, fields: new, ohb: newOHB, ohbStart: ohbStart, ekt: ekt,
                keys: keys, index: index)
            Self.commitEgress(egressLayer, ssrc: header.ssrc, index)
            return forwardedLength
        }
    }

    // MARK: Steps

    /// Where the EKT field sits at the end of the packet (empty at the end when EKT is not in
    /// use); the SRTP packet ends at its lower bound (RFC 8870 §4).
    func ektField(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Range<Int>
    {
        guard length >= 0, length <= buffer.count else { throw .malformed(.truncated) }
        guard ektInUse else { return length..<length }
        do {
            let fieldLength = try EKTField.parse(UnsafeRawBufferPointer(buffer), length: length)
                .length
            return (length - fieldLength)..<length
        } catch {
            throw .ektField(error)
        }
    }

    /// What `openIngress` found; nothing of it is committed yet.
    struct IngressOpening {
        let ohb: OriginalHeaderBlock
        /// Offset of the OHB; the inner tag ends here.
        let ohbStart: Int
        let index: CheckedIndex<InboundStream>
    }

    /// An index checked against its stream's replay list, and that stream (nil before the SSRC's
    /// first packet), so that committing the index does not look the stream up again.
    struct CheckedIndex<Stream: AnyObject> {
        let estimate: RolloverEstimator.Estimate
        let stream: Stream?
        var index: UInt64 { estimate.index }
    }

    /// RFC 8723 §5.2 step 1: opens the outer layer of `packet[..<srtpEnd]` with the ingress key
    /// and parses the OHB. Commits nothing; on failure the buffer is as it was.
    static func openIngress(
        _ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, srtpEnd: Int,
        ingress: OpenSSLEngine
    ) throws(DoubleSRTPError) -> IngressOpening {
        let tag = DoubleSRTPProfile.tagLength
        guard srtpEnd - header.length >= DoubleSRTPProfile.senderOverhead else {
            throw .malformed(.truncated)
        }
        let keys = try inLayer(.outer) { () throws(SRTPError) in try ingress.srtp }
        // RFC 3711 §3.3; RFC 8871 §4.4: replay protection on every hop.
        let stream = ingress.inbound[header.ssrc]
        guard
            let index = (stream?.rtpIndex ?? RolloverEstimator()).estimate(header.sequenceNumber)
        else { throw .indexExhausted(.outer) }
        if let stream {
            try DoubleSRTPPacket.admit(stream.receivedRTP.check(index.index), .outer)
        }
        let tagStart = srtpEnd - tag
        let aad = UnsafeRawBufferPointer(rebasing: packet[..<header.length])
        let plaintext = UnsafeMutableRawBufferPointer(rebasing: packet[header.length..<tagStart])
        let outerTag = UnsafeMutableRawBufferPointer(rebasing: packet[tagStart..<srtpEnd])
        try inLayer(.outer) { () throws(SRTPError) in
            try keys.open.open(
                ssrc: header.ssrc, index: index.index, aad: aad, data: plaintext,
                tag: UnsafeRawBufferPointer(outerTag))
        }
        do throws(DoubleSRTPError) {
            let ohb = try OriginalHeaderBlock(
                parsingEndOf: UnsafeRawBufferPointer(packet), end: tagStart, start: header.length)
            let ohbStart = tagStart - ohb.encodedLength
            guard ohbStart - tag >= header.length else { throw .malformed(.truncated) }
            return IngressOpening(
                ohb: ohb, ohbStart: ohbStart, index: CheckedIndex(estimate: index, stream: stream))
        } catch {
            DoubleSRTPPacket.restoreOuter(
                keys, ssrc: header.ssrc, index: index, aad: aad, data: plaintext, tag: outerTag)
            throw error
        }
    }

    /// RFC 8723 §5.2 steps 2–4 on an opened packet: moves the EKT field behind where the new tag
    /// ends, writes the new header fields and OHB, and seals with the egress key at the new SEQ.
    /// The caller checked the capacity and the egress index.
    static func sealEgress(
        _ packet: UnsafeMutableRawBufferPointer, header: RTPHeader, fields: ModifiableHeaderFields,
        ohb: OriginalHeaderBlock, ohbStart: Int, ekt: Range<Int>, keys: OpenSSLCryptoContext,
        index: CheckedIndex<OutboundStream>
    ) throws(DoubleSRTPError) -> Int {
        let ohbEnd = ohbStart + ohb.encodedLength
        let tagEnd = ohbEnd + DoubleSRTPProfile.tagLength
        // First the EKT field: the new OHB and tag may cover where it was.
        move(packet, ekt, to: tagEnd)
        fields.write(into: packet)
        ohb.write(into: packet, at: ohbStart)
        // Step 4: the egress context, its own ROC and the (new) SEQ.
        try inLayer(.outer) { () throws(SRTPError) in
            try keys.seal(
                ssrc: header.ssrc, index: index.index,
                aad: UnsafeRawBufferPointer(rebasing: packet[..<header.length]),
                data: UnsafeMutableRawBufferPointer(rebasing: packet[header.length..<ohbEnd]),
                tag: UnsafeMutableRawBufferPointer(rebasing: packet[ohbEnd..<tagEnd]))
        }
        return tagEnd + ekt.count
    }

    static func sealingKeys(_ egress: OpenSSLEngine) throws(DoubleSRTPError)
        -> OpenSSLCryptoContext
    {
        try inLayer(.outer) { () throws(SRTPError) in try egress.srtp.seal }
    }

    /// The egress index of `sequence`, refused if already sent or past the ROC (RFC 3711 §9.2).
    static func egressIndex(_ egress: OpenSSLEngine, ssrc: UInt32, sequence: UInt16)
        throws(DoubleSRTPError) -> CheckedIndex<OutboundStream>
    {
        let stream = egress.outbound[ssrc]
        guard let index = (stream?.rtpIndex ?? RolloverEstimator()).estimate(sequence) else {
            throw .indexExhausted(.outer)
        }
        if let stream { try DoubleSRTPPacket.admit(stream.sentRTP.check(index.index), .outer) }
        return CheckedIndex(estimate: index, stream: stream)
    }

    static func commitIngress(
        _ ingress: OpenSSLEngine, ssrc: UInt32, _ index: CheckedIndex<InboundStream>
    ) {
        let stream = index.stream ?? ingress.inboundStream(ssrc)
        stream.rtpIndex.update(index.estimate)
        stream.receivedRTP.accept(index.index)
    }

    static func commitEgress(
        _ egress: OpenSSLEngine, ssrc: UInt32, _ index: CheckedIndex<OutboundStream>
    ) {
        let stream = index.stream ?? egress.outboundStream(ssrc)
        stream.rtpIndex.update(index.estimate)
        stream.sentRTP.accept(index.index)
    }

    /// Moves the octets of `range` to start at `offset` (the regions may overlap).
    static func move(_ packet: UnsafeMutableRawBufferPointer, _ range: Range<Int>, to offset: Int) {
        guard !range.isEmpty, range.lowerBound != offset else { return }
        // copyMemory has memmove semantics: overlapping regions are fine.
        (packet.baseAddress! + offset).copyMemory(
            from: packet.baseAddress! + range.lowerBound, byteCount: range.count)
    }
}
