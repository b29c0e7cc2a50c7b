/// The header of the synthetic RTP packet, the AAD of the inner (end-to-end) layer
/// (RFC 8723 §5.1 step 3, §5.3 step 4):
/// ```
///  packet header :  | fixed 12 (X=1) | CSRCs 4·CC | extension block |
///  synthetic     :  | fixed 12 (X=0) | CSRCs 4·CC |      PT, SEQ, M = the sender's values
/// ```
/// The X bit is cleared, the extension block dropped, the CSRC list and the P bit kept. PT, SEQ and
/// M are the sender's (original) values: a receiver takes them from the OHB where a distributor
/// changed them. Built in a 72-octet buffer on the stack (12 + 4·15), never on the heap.
enum SyntheticHeader {
    static let maxLength = RTPHeader.fixedLength + 4 * 15

    /// Runs `body` with the synthetic header of the RTP header at the start of `packet`, whose
    /// fixed part and CSRC list (`header`) were parsed, carrying `fields`.
    @inline(__always)
    static func with<R>(
        _ packet: UnsafeRawBufferPointer, header: RTPHeader, fields: ModifiableHeaderFields,
        _ body: (UnsafeRawBufferPointer) throws(DoubleSRTPError) -> R
    ) throws(DoubleSRTPError) -> R {
        let length = RTPHeader.fixedLength + 4 * header.csrcCount
        var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &storage) { buffer throws(DoubleSRTPError) -> R in
            let synthetic = UnsafeMutableRawBufferPointer(rebasing: buffer[..<length])
            synthetic.copyMemory(from: UnsafeRawBufferPointer(rebasing: packet[..<length]))
            synthetic[0] &= ~0x10  // X = 0: the extension block is not part of the inner AAD
            fields.write(into: synthetic)
            return try body(UnsafeRawBufferPointer(synthetic))
        }
    }
}
