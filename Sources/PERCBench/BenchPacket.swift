/// A plaintext packet the benchmarks protect: its header, with the SEQ (RTP) rewritten for every
/// packet sent, and a payload of fixed length.
public struct BenchPacket: Sendable {
    public enum Kind: Sendable {
        case rtp
        case rtcp
    }

    /// Short name for tables ("1200 B", "RFC 7714 §16").
    public let name: String
    public let kind: Kind
    /// The header, with the SSRC at octets 8...11 (RTP) or 4...7 (RTCP).
    let header: [UInt8]
    /// The payload after the header (for RTCP: everything after the first 8 octets).
    let payload: [UInt8]

    public var headerLength: Int { header.count }
    public var payloadLength: Int { payload.count }
    public var length: Int { header.count + payload.count }

    /// The SSRC the header carries.
    var ssrc: UInt32 {
        let at = kind == .rtp ? 8 : 4
        return header[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Writes the packet into `slot`, with SEQ = the low 16 bits of `index` for RTP (the sender
    /// derives ROC‖SEQ from it; RFC 3711 §3.3.1). Returns the length written.
    func write(into slot: UnsafeMutableRawBufferPointer, index: UInt64) -> Int {
        let headerSlot = UnsafeMutableRawBufferPointer(rebasing: slot[..<header.count])
        headerSlot.copyBytes(from: header)
        UnsafeMutableRawBufferPointer(rebasing: slot[header.count..<length]).copyBytes(
            from: payload)
        if kind == .rtp {
            slot[2] = UInt8(truncatingIfNeeded: index >> 8)
            slot[3] = UInt8(truncatingIfNeeded: index)
        }
        return length
    }
}

extension BenchPacket {
    static let ssrc: [UInt8] = [0xCA, 0xFE, 0xBA, 0xBE]

    /// RFC 7714 §16.1.1: the example RTP packet, a 12-octet header and the 38-octet payload
    /// "Gallia est omnis divisa in partes tres".
    public static let rfc7714 = BenchPacket(
        name: "RFC 7714 §16", kind: .rtp,
        header: [0x80, 0x40, 0xF1, 0x7B, 0x80, 0x41, 0xF8, 0xD3, 0x55, 0x01, 0xA0, 0xB2],
        payload: Array("Gallia est omnis divisa in partes tres".utf8))

    /// An RTP packet in the full RFC 3711 Figure 1 layout: two CSRCs and a one-word header
    /// extension (RFC 3550 §5.3.1) before 160 octets of payload (20 ms of G.711).
    ///
    /// ```
    /// | V=2 X=1 CC=2 | M PT=0 | SEQ | timestamp | SSRC | CSRC ×2 | 0xBEDE len=1 | ext | payload |
    ///   12 octets of fixed header + 8 CSRC + 8 extension = 28-octet header
    /// ```
    public static let rfc3711Style = BenchPacket(
        name: "RFC 3711 CSRC+ext", kind: .rtp,
        header: [0x92, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x20] + ssrc
            + [0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22]
            + [0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00],
        payload: pattern(160))

    /// A plain RTP packet: 12-octet header (PT 111) and `payloadLength` octets of payload.
    public static func synthetic(payloadLength: Int) -> BenchPacket {
        BenchPacket(
            name: "\(payloadLength) B", kind: .rtp,
            header: [0x80, 0x6F, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00] + ssrc,
            payload: pattern(payloadLength))
    }

    /// The RTP packets every SRTP case runs on: the two RFC-style packets, then audio (20 B),
    /// 160 B, and video (1200 B, 1400 B) payloads.
    public static let rtpSet: [BenchPacket] =
        [rfc7714, rfc3711Style] + [20, 160, 1200, 1400].map { synthetic(payloadLength: $0) }

    /// An RTCP sender report with one report block (RFC 3550 §6.4.1): 52 octets. The first 8
    /// octets (V, P, RC, PT, length, SSRC) stay clear under SRTCP (RFC 3711 §3.4).
    public static let rtcpSenderReport = BenchPacket(
        name: "SR 52 B", kind: .rtcp,
        header: [0x81, 0xC8, 0x00, 0x0C] + ssrc,
        payload: pattern(44))

    private static func pattern(_ count: Int) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    }
}
