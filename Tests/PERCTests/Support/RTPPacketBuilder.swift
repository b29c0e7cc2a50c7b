/// Builds plaintext RTP and RTCP packets for tests.
enum RTPPacketBuilder {
    /// An RTP packet with the given fields, CSRC list, optional one-word-aligned extension block
    /// and payload.
    static func rtp(
        sequence: UInt16, ssrc: UInt32, timestamp: UInt32 = 0x1234_5678, payloadType: UInt8 = 96,
        marker: Bool = false, csrcs: [UInt32] = [], extensionWords: [UInt32]? = nil,
        payload: [UInt8]
    ) -> [UInt8] {
        var packet: [UInt8] = [
            0x80 | (extensionWords == nil ? 0 : 0x10) | UInt8(csrcs.count),
            (marker ? 0x80 : 0) | payloadType,
            UInt8(sequence >> 8), UInt8(truncatingIfNeeded: sequence),
        ]
        packet += bigEndian(timestamp) + bigEndian(ssrc)
        for csrc in csrcs { packet += bigEndian(csrc) }
        if let extensionWords {
            packet += [0xBE, 0xDE, UInt8(extensionWords.count >> 8), UInt8(extensionWords.count)]
            for word in extensionWords { packet += bigEndian(word) }
        }
        return packet + payload
    }

    /// An RTCP compound packet starting with a sender report header for `ssrc`, followed by
    /// `body` (sizes are not checked by SRTCP).
    static func rtcp(ssrc: UInt32, body: [UInt8]) -> [UInt8] {
        let words = UInt16((4 + body.count) / 4)
        return [0x80, 200, UInt8(words >> 8), UInt8(truncatingIfNeeded: words)] + bigEndian(ssrc)
            + body
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [
            UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16),
            UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value),
        ]
    }
}
