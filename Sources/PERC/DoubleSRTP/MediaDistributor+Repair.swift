/// What a Media Distributor handles with the outer (hop-by-hop) layer only.
extension MediaDistributor {
    // MARK: Repair mode (RFC 8723 §5.1 step 2, §7)

    /// Relays a repair packet (RTX or FlexFEC: outer layer only, no OHB) from `ingress` to
    /// `egress` and returns its length, which does not change. Its header is protected hop by hop
    /// only (the end-to-end protected packet travels inside its payload), so `rewrite` changes it
    /// without recording anything.
    public func relayRepair(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from ingress: Ingress,
        to egress: Egress, rewrite: HeaderRewrite = .none
    ) throws(DoubleSRTPError) -> Int {
        try rewrite.validate()
        let ekt = try ektField(buffer, length: length)
        let header = try DoubleSRTPPacket.header(buffer, length: ekt.lowerBound)
        let tag = DoubleSRTPProfile.tagLength
        guard ekt.lowerBound - header.length >= tag else { throw .malformed(.truncated) }
        let new = rewrite.applied(to: ModifiableHeaderFields(header))
        let tagStart = ekt.lowerBound - tag
        let aad = UnsafeRawBufferPointer(rebasing: buffer[..<header.length])
        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[header.length..<tagStart])
        let outerTag = UnsafeMutableRawBufferPointer(rebasing: buffer[tagStart..<ekt.lowerBound])
        return try withIngress(ingress) { ingressLayer throws(DoubleSRTPError) in
            try withEgress(egress) { egressLayer throws(DoubleSRTPError) in
                let egressKeys = try Self.sealingKeys(egressLayer)
                let egressIndex = try Self.egressIndex(
                    egressLayer, ssrc: header.ssrc, sequence: new.sequenceNumber)
                let ingressKeys = try inLayer(.outer) { () throws(SRTPError) in
                    try ingressLayer.srtp.open
                }
                let stream = ingressLayer.inbound[header.ssrc]
                guard
                    let ingressIndex = (stream?.rtpIndex ?? RolloverEstimator())
                        .estimate(header.sequenceNumber)
                else { throw .indexExhausted(.outer) }
                if let stream {
                    try DoubleSRTPPacket.admit(
                        stream.receivedRTP.check(ingressIndex.index), .outer)
                }
                try inLayer(.outer) { () throws(SRTPError) in
                    try ingressKeys.open(
                        ssrc: header.ssrc, index: ingressIndex.index, aad: aad, data: payload,
                        tag: UnsafeRawBufferPointer(outerTag))
                }
                new.write(into: buffer)
                try inLayer(.outer) { () throws(SRTPError) in
                    try egressKeys.seal(
                        ssrc: header.ssrc, index: egressIndex.index, aad: aad, data: payload,
                        tag: outerTag)
                }
                Self.commitIngress(
                    ingressLayer, ssrc: header.ssrc,
                    CheckedIndex(estimate: ingressIndex, stream: stream))
                Self.commitEgress(egressLayer, ssrc: header.ssrc, egressIndex)
                return length
            }
        }
    }

    // MARK: RTCP (RFC 8723 §6; RFC 8871 §4.1)

    /// Unprotects an SRTCP packet that arrived on `ingress` and returns the RTCP length. RTCP is
    /// hop by hop only: the distributor reads, terminates or rewrites it (RFC 8871 §3.1.1).
    public func unprotectRTCP(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from ingress: Ingress
    ) throws(DoubleSRTPError) -> Int {
        let header = try DoubleSRTPPacket.rtcpHeader(buffer, length: length)
        guard length >= RTCPHeader.clearLength + 4 + DoubleSRTPProfile.tagLength else {
            throw .malformed(.truncated)
        }
        return try withIngress(ingress) { layer throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layer.unprotectRTCP(buffer, length: length, header: header)
            }
        }
    }

    /// Protects an RTCP compound packet for `egress` and returns the SRTCP length. `buffer.count`
    /// must leave 20 octets of room (E‖index word and tag).
    public func protectRTCP(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, to egress: Egress
    ) throws(DoubleSRTPError) -> Int {
        let header = try DoubleSRTPPacket.rtcpHeader(buffer, length: length)
        try DoubleSRTPPacket.requireCapacity(buffer, length + 4 + DoubleSRTPProfile.tagLength)
        return try withEgress(egress) { layer throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layer.protectRTCP(buffer, length: length, header: header)
            }
        }
    }
}
