/// What a double SRTP receiver recovered from one packet (RFC 8723 §5.3).
///
/// After a successful `DoubleSRTPReceiver.receive`, the buffer holds an RTP packet of `length`
/// octets whose header is the one an application should use by RFC 8723 §5.3:
/// ```
///  | V P X CC | M  | PT    | SEQ   | timestamp SSRC CSRCs | extension block | payload (‖ padding) |
///              inner  outer   outer   inner (E2E verified)   hop-by-hop only    inner (E2E)
/// ```
/// PT and SEQ are the values the distributor sent (codec matching and ordering); the marker is the
/// sender's, end-to-end authenticated; every other field except the extension block was
/// authenticated end to end as well. The sender's PT and SEQ are here for statistics.
public struct DoubleSRTPReceived: Sendable, Equatable {
    /// Length of the RTP packet now at the start of the buffer.
    public let length: Int
    /// Length of its header: fixed part, CSRC list and extension block.
    public let headerLength: Int
    public let ssrc: UInt32
    /// PT as received: the one negotiated with the distributor, to find the codec by.
    public let outerPayloadType: UInt8
    /// SEQ as received: for ordering, loss detection and NACKs to the distributor.
    public let outerSequenceNumber: UInt16
    /// The sender's PT (from the OHB if the distributor changed it), end-to-end authenticated.
    public let originalPayloadType: UInt8
    /// The sender's SEQ (from the OHB if the distributor changed it), end-to-end authenticated.
    public let originalSequenceNumber: UInt16
    /// The sender's marker bit, end-to-end authenticated; also written into the header.
    public let originalMarker: Bool

    /// Where the payload sits in the buffer, RTP padding included when P = 1.
    public var payloadRange: Range<Int> { headerLength..<length }
}
