/// Big-endian (network order, RFC 3550 §5.1) integers in octet arrays, for the demo's RTP packets
/// and synthetic payloads.
enum MediaWire {
    static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// The integer at `offset`; the caller checked that `bytes` holds it.
    static func read<T: FixedWidthInteger>(_ bytes: ArraySlice<UInt8>, at offset: Int) -> T {
        bytes[offset..<(offset + MemoryLayout<T>.size)].reduce(0) { $0 << 8 | T($1) }
    }
}

/// Where the parts of an RTP packet sit (RFC 3550 §5.1, §5.3.1):
/// ```
///  | V P X CC | M PT | SEQ (2) | timestamp (4) | SSRC (4) | CSRC (4·CC) | ext (4 + 4·len, if X) |
/// ```
enum RTPHeaderLayout {
    static let fixedLength = 12

    /// The SSRC of an RTP packet of version 2, or nil if `packet` is not one.
    static func ssrc(of packet: ArraySlice<UInt8>) -> UInt32? {
        guard packet.count >= fixedLength, packet[packet.startIndex] >> 6 == 2 else { return nil }
        return MediaWire.read(packet, at: packet.startIndex + 8)
    }

    /// The length of the header (fixed part, CSRC list, extension block), or nil if it does not
    /// fit in `packet`.
    static func headerLength(of packet: ArraySlice<UInt8>) -> Int? {
        guard ssrc(of: packet) != nil else { return nil }
        let first = packet[packet.startIndex]
        var length = fixedLength + 4 * Int(first & 0x0F)
        if first & 0x10 != 0 {
            guard packet.count >= length + 4 else { return nil }
            let words: UInt16 = MediaWire.read(packet, at: packet.startIndex + length + 2)
            length += 4 + 4 * Int(words)
        }
        return packet.count >= length ? length : nil
    }
}
