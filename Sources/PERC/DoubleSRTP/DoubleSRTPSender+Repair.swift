/// What a double SRTP sender protects with the outer (hop-by-hop) layer only.
extension DoubleSRTPSender {
    // MARK: Repair mode (RFC 8723 §5.1 step 2, §7)

    /// Protects a repair packet (an RTX retransmission or a FlexFEC packet, built from packets
    /// already double protected) with the outer layer only and returns its length. No inner layer,
    /// no OHB. `buffer.count` must leave 16 octets of room.
    ///
    /// The packet's SSRC and SEQ share the outer per-SSRC state with `protect`, so an index is
    /// never protected twice under the hop key.
    public func protectRepair(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Int
    {
        let header = try DoubleSRTPPacket.header(buffer, length: length)
        try DoubleSRTPPacket.validatePadding(header, buffer, length: length)
        try DoubleSRTPPacket.requireCapacity(buffer, length + DoubleSRTPProfile.tagLength)
        return try withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.protectRTP(buffer, length: length, header: header)
            }
        }
    }

    /// Protects a repair packet held in `packet` with the outer layer only.
    public func protectRepair(_ packet: inout [UInt8]) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: DoubleSRTPProfile.tagLength, protectRepair)
    }

    // MARK: RTCP (RFC 8723 §6)

    /// Octets `protectRTCP` adds: the E‖index word and the GCM tag.
    public var rtcpOverhead: Int { 4 + DoubleSRTPProfile.tagLength }

    /// Protects the RTCP compound packet in the first `length` octets of `buffer` and returns the
    /// SRTCP length. RTCP under a double profile is hop by hop only: plain SRTCP (RFC 7714 §9)
    /// with the hop key (RFC 8723 §6; RFC 8871 §4.1: put nothing confidential in RTCP).
    public func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> Int
    {
        let header = try DoubleSRTPPacket.rtcpHeader(buffer, length: length)
        try DoubleSRTPPacket.requireCapacity(buffer, length + rtcpOverhead)
        return try withLayers { layers throws(DoubleSRTPError) in
            try inLayer(.outer) { () throws(SRTPError) in
                try layers.outer.protectRTCP(buffer, length: length, header: header)
            }
        }
    }

    /// Protects an RTCP compound packet held in `packet`.
    public func protectRTCP(_ packet: inout [UInt8]) throws(DoubleSRTPError) {
        try InPlaceTransform.apply(&packet, growth: rtcpOverhead, protectRTCP)
    }
}
