/// What a double SRTP receiver opens with the outer (hop-by-hop) layer only.
extension DoubleSRTPReceiver {
    // MARK: Repair mode (RFC 8723 §5.3 step 2, §7)

    /// Removes the outer layer from a repair packet (RTX or FlexFEC, known as such from its
    /// negotiated SSRC or payload type: RFC 8723 has no on-the-wire marker) and returns its
    /// length. The repair scheme then yields a double packet for `receive`.
    public func receiveRepair(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Int
    {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        guard length - header.length >= DoubleSRTPProfile.tagLength else {
            throw .malformed(.truncated)
        }
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.unprotectRTP(buffer, length: length, header: header)
            }
        }
    }

    /// Removes the outer layer from a repair packet held in `packet`.
    public func receiveRepair(_ packet: inout [UInt8]) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: 0, receiveRepair)
    }

    // MARK: RTCP (RFC 8723 §6)

    /// Unprotects the SRTCP packet in the first `length` octets of `buffer` and returns the RTCP
    /// length. RTCP under a double profile is hop by hop only (RFC 8723 §6): it comes from the
    /// distributor, which may have written or changed it (RFC 8871 §8.2.5).
    public func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Int
    {
        let header = try DoubleSRTPPacket.rtcpHeader(buffer, length: length)
        guard length >= RTCPHeader.clearLength + 4 + DoubleSRTPProfile.tagLength else {
            throw .malformed(.truncated)
        }
        return try layers.withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.unprotectRTCP(buffer, length: length, header: header)
            }
        }
    }

    /// Unprotects an SRTCP packet held in `packet`.
    public func unprotectRTCP(_ packet: inout [UInt8]) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: 0, unprotectRTCP)
    }
}
