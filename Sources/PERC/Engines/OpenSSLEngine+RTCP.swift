/// SRTCP (RFC 3711 §3.4; RFC 7714 §9).
///
/// Wire layouts this engine writes and reads (byte-identical to libsrtp2):
/// ```
/// AES-CM / NULL + HMAC-SHA1 (RFC 3711 §3.4):
///   | first 8 octets | rest of compound (encrypted if E) | E|index (4) | MKI (opt.) | tag (10) |
///   tag = HMAC-SHA1(k_a, packet ‖ E|index), MKI not authenticated
/// AES-GCM, E = 1 (RFC 7714 §9.2): AAD = first 8 octets ‖ E|index
///   | first 8 octets | ciphertext | tag (16) | E|index (4) | MKI (opt.) |
/// AES-GCM, E = 0 (RFC 7714 §9.3): AAD = whole compound ‖ E|index, plaintext empty
///   | compound packet (clear) | tag (16) | E|index (4) | MKI (opt.) |
/// ```
extension OpenSSLEngine {
    private static let eBit: UInt32 = 0x8000_0000

    func protectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    {
        let keys = try srtcp.seal
        let stream = outbound[header.ssrc]
        let index = stream?.nextSRTCPIndex ?? 0
        // RFC 3711 §3.4 / §9.2: at most 2^31 SRTCP packets per key; rekey before the index wraps.
        guard index < OutboundStream.srtcpIndexLimit else { throw .indexExhausted }
        let trailer = (encryptRTCP ? Self.eBit : 0) | index
        let clear = RTCPHeader.clearLength
        let protectedLength: Int

        if profile.isAEAD {
            let trailerStart = length + 16
            packet.storeBigEndian(trailer, at: trailerStart)
            let trailerWord = UnsafeRawBufferPointer(
                rebasing: packet[trailerStart..<trailerStart + 4])
            let aadEnd = encryptRTCP ? clear : length
            try keys.seal(
                ssrc: header.ssrc, index: UInt64(index),
                aad: UnsafeRawBufferPointer(rebasing: packet[..<aadEnd]), aad2: trailerWord,
                data: UnsafeMutableRawBufferPointer(rebasing: packet[aadEnd..<length]),
                tag: UnsafeMutableRawBufferPointer(rebasing: packet[length..<trailerStart]))
            writeMKI(packet, at: trailerStart + 4)
            protectedLength = trailerStart + 4 + mki.count
        } else {
            if encryptRTCP {
                // RFC 3711 §3.4: the Encrypted Portion is everything after the first 8 octets.
                try keys.xorKeystream(
                    ssrc: header.ssrc, index: UInt64(index),
                    UnsafeMutableRawBufferPointer(rebasing: packet[clear..<length]))
            }
            packet.storeBigEndian(trailer, at: length)
            writeMKI(packet, at: length + 4)
            let tagStart = length + 4 + mki.count
            keys.writeTag(
                over: UnsafeRawBufferPointer(rebasing: packet[..<(length + 4)]), roc: nil,
                to: UnsafeMutableRawBufferPointer(
                    rebasing: packet[tagStart..<tagStart + rtcpTagLength]))
            protectedLength = tagStart + rtcpTagLength
        }

        (stream ?? outboundStream(header.ssrc)).nextSRTCPIndex = index + 1
        return protectedLength
    }

    func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    {
        let keys = try srtcp.open
        // The session checked length ≥ 8 + E|index + tag + MKI.
        let trailerStart: Int
        let mkiStart: Int
        let tagStart: Int
        let packetEnd: Int
        if profile.isAEAD {
            mkiStart = length - mki.count
            trailerStart = mkiStart - 4
            tagStart = trailerStart - 16
            packetEnd = tagStart
        } else {
            tagStart = length - rtcpTagLength
            mkiStart = tagStart - mki.count
            trailerStart = mkiStart - 4
            packetEnd = trailerStart
        }
        try checkMKI(packet, at: mkiStart)

        let trailer = UnsafeRawBufferPointer(packet).loadBigEndianUInt32(at: trailerStart)
        // RFC 3711 §3.4: the receiver follows the E bit of the packet (it is authenticated).
        let encrypted = trailer & Self.eBit != 0
        let index = trailer & ~Self.eBit
        let stream = inbound[header.ssrc]
        if let stream { try Self.admit(stream.receivedRTCP.check(UInt64(index))) }

        let clear = RTCPHeader.clearLength
        if profile.isAEAD {
            let aadEnd = encrypted ? clear : packetEnd
            try keys.open(
                ssrc: header.ssrc, index: UInt64(index),
                aad: UnsafeRawBufferPointer(rebasing: packet[..<aadEnd]),
                aad2: UnsafeRawBufferPointer(rebasing: packet[trailerStart..<trailerStart + 4]),
                data: UnsafeMutableRawBufferPointer(rebasing: packet[aadEnd..<packetEnd]),
                tag: UnsafeRawBufferPointer(rebasing: packet[tagStart..<tagStart + 16]))
        } else {
            // RFC 3711 §3.4: Authenticated Portion = compound packet ‖ E|index.
            try keys.verifyTag(
                over: UnsafeRawBufferPointer(rebasing: packet[..<mkiStart]), roc: nil,
                tag: UnsafeRawBufferPointer(rebasing: packet[tagStart..<tagStart + rtcpTagLength]))
            if encrypted && profile.cipher == .aesCounter {
                try keys.xorKeystream(
                    ssrc: header.ssrc, index: UInt64(index),
                    UnsafeMutableRawBufferPointer(rebasing: packet[clear..<packetEnd]))
            }
        }

        (stream ?? inboundStream(header.ssrc)).receivedRTCP.accept(UInt64(index))
        return packetEnd
    }
}
