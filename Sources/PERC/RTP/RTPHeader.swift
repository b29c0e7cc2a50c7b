/// The fields of an RTP fixed header that SRTP processing needs, read from a packet buffer.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers (CC × 32)   |
/// |  extension profile (if X)     |  extension length (32-bit words)|
/// |                  extension data ...                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// (RFC 3550 §5.1, §5.3.1.) Parsing never reads past `length`.
struct RTPHeader: Equatable {
    static let fixedLength = 12

    var hasPadding: Bool
    var hasExtension: Bool
    var csrcCount: Int
    var marker: Bool
    var payloadType: UInt8
    var sequenceNumber: UInt16
    var timestamp: UInt32
    var ssrc: UInt32
    /// Length of the whole header: fixed part, CSRC list and extension block.
    var length: Int

    /// Parses the header of the first `length` octets of `packet`.
    init(parsing packet: UnsafeRawBufferPointer, length: Int) throws(SRTPError) {
        guard length >= Self.fixedLength, length <= packet.count else {
            throw .malformed(.truncated)
        }
        let b0 = packet[0]
        guard b0 >> 6 == 2 else { throw .malformed(.badVersion) }
        hasPadding = b0 & 0x20 != 0
        hasExtension = b0 & 0x10 != 0
        csrcCount = Int(b0 & 0x0F)
        marker = packet[1] & 0x80 != 0
        payloadType = packet[1] & 0x7F
        sequenceNumber = packet.loadBigEndianUInt16(at: 2)
        timestamp = packet.loadBigEndianUInt32(at: 4)
        ssrc = packet.loadBigEndianUInt32(at: 8)
        var headerLength = Self.fixedLength + 4 * csrcCount
        guard headerLength <= length else { throw .malformed(.csrcPastEnd) }
        if hasExtension {
            guard headerLength + 4 <= length else { throw .malformed(.extensionPastEnd) }
            let words = Int(packet.loadBigEndianUInt16(at: headerLength + 2))
            headerLength += 4 + 4 * words
            guard headerLength <= length else { throw .malformed(.extensionPastEnd) }
        }
        self.length = headerLength
    }

    /// Checks the RTP padding of a plaintext packet: the last octet counts the padding octets,
    /// itself included, and must be at least 1 and fit in the payload (RFC 3550 §5.1).
    func validatePadding(_ packet: UnsafeRawBufferPointer, packetLength: Int) throws(SRTPError) {
        guard hasPadding else { return }
        guard packetLength > length else { throw .malformed(.badPadding) }
        let count = Int(packet[packetLength - 1])
        guard count >= 1, count <= packetLength - length else { throw .malformed(.badPadding) }
    }
}

/// The first eight octets of an RTCP compound packet: the part SRTCP leaves in the clear
/// (RFC 3711 §3.4).
struct RTCPHeader: Equatable {
    static let clearLength = 8

    var ssrc: UInt32

    init(parsing packet: UnsafeRawBufferPointer, length: Int) throws(SRTPError) {
        guard length >= Self.clearLength, length <= packet.count else {
            throw .malformed(.truncated)
        }
        guard packet[0] >> 6 == 2 else { throw .malformed(.badVersion) }
        ssrc = packet.loadBigEndianUInt32(at: 4)
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func loadBigEndianUInt16(at offset: Int) -> UInt16 {
        UInt16(self[offset]) << 8 | UInt16(self[offset + 1])
    }

    @inline(__always)
    func loadBigEndianUInt32(at offset: Int) -> UInt32 {
        UInt32(self[offset]) << 24 | UInt32(self[offset + 1]) << 16 | UInt32(self[offset + 2]) << 8
            | UInt32(self[offset + 3])
    }
}

extension UnsafeMutableRawBufferPointer {
    @inline(__always)
    func storeBigEndian(_ value: UInt32, at offset: Int) {
        self[offset] = UInt8(truncatingIfNeeded: value >> 24)
        self[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
        self[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
        self[offset + 3] = UInt8(truncatingIfNeeded: value)
    }
}
