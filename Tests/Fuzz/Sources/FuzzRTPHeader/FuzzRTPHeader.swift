import FuzzSupport
@_spi(Fuzzing) import PERC

/// RTP and RTCP header parsing against a reference model written from the RFCs below: each input
/// is parsed as an RTP header, checked for RTP padding, and parsed as an RTCP header, and fields
/// and errors must equal the model's. The parser sees exactly the input, so ASan flags any read
/// past the packet.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTPHeader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let packet = FuzzInput(data, size).bytes

    let rtp = Result { () throws(SRTPError) in try FuzzingEntryPoints.parseRTPHeader(packet) }
    let expectedRTP = ReferenceModel.rtpHeader(packet)
    fuzzCheck(rtp == expectedRTP, "RTP: \(rtp) != \(expectedRTP)")

    let padding = Result { () throws(SRTPError) in
        try FuzzingEntryPoints.validateRTPPadding(packet)
    }
    let expectedPadding = expectedRTP.flatMap { ReferenceModel.padding(packet, header: $0) }
    fuzzCheck(
        padding.map { true } == expectedPadding.map { true },
        "RTP padding: \(padding) != \(expectedPadding)")

    let rtcp = Result { () throws(SRTPError) in try FuzzingEntryPoints.parseRTCPHeader(packet) }
    let expectedRTCP = ReferenceModel.rtcpSSRC(packet)
    fuzzCheck(rtcp == expectedRTCP, "RTCP: \(rtcp) != \(expectedRTCP)")
    return 0
}

/// The header rules, restated independently of the library.
enum ReferenceModel {

    /// RFC 3550 §5.1 fixed header, §5.3.1 extension: 12 octets, 4 per CSRC, and with X a 4-octet
    /// extension header followed by `length` 32-bit words.
    static func rtpHeader(_ p: UnsafeRawBufferPointer) -> Result<
        FuzzingEntryPoints.RTPHeaderFields, SRTPError
    > {
        guard p.count >= 12 else { return .failure(.malformed(.truncated)) }
        guard p[0] >> 6 == 2 else { return .failure(.malformed(.badVersion)) }
        let csrcCount = Int(p[0] & 0x0F)
        var length = 12 + 4 * csrcCount
        guard length <= p.count else { return .failure(.malformed(.csrcPastEnd)) }
        let hasExtension = p[0] & 0x10 != 0
        if hasExtension {
            guard length + 4 <= p.count else { return .failure(.malformed(.extensionPastEnd)) }
            length += 4 + 4 * Int(p.bigEndian(at: length + 2, octets: 2))
            guard length <= p.count else { return .failure(.malformed(.extensionPastEnd)) }
        }
        return .success(
            FuzzingEntryPoints.RTPHeaderFields(
                hasPadding: p[0] & 0x20 != 0, hasExtension: hasExtension, csrcCount: csrcCount,
                marker: p[1] & 0x80 != 0, payloadType: p[1] & 0x7F,
                sequenceNumber: UInt16(p.bigEndian(at: 2, octets: 2)),
                timestamp: p.bigEndian(at: 4, octets: 4), ssrc: p.bigEndian(at: 8, octets: 4),
                headerLength: length))
    }

    /// RFC 3550 §5.1: with P set, the last octet counts the padding octets, itself included; they
    /// lie after the header.
    static func padding(_ p: UnsafeRawBufferPointer, header: FuzzingEntryPoints.RTPHeaderFields)
        -> Result<Void, SRTPError>
    {
        guard header.hasPadding else { return .success(()) }
        let available = p.count - header.headerLength
        guard available >= 1, (1...available).contains(Int(p[p.count - 1])) else {
            return .failure(.malformed(.badPadding))
        }
        return .success(())
    }

    /// RFC 3550 §6.4.1 and RFC 3711 §3.4: the first 8 octets (V=2, ..., SSRC) stay in the clear.
    static func rtcpSSRC(_ p: UnsafeRawBufferPointer) -> Result<UInt32, SRTPError> {
        guard p.count >= 8 else { return .failure(.malformed(.truncated)) }
        guard p[0] >> 6 == 2 else { return .failure(.malformed(.badVersion)) }
        return .success(p.bigEndian(at: 4, octets: 4))
    }
}
