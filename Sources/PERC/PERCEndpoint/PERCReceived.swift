/// What a `PERCReceiver` recovered from one packet: the double SRTP result and the end-to-end key
/// that authenticated it.
public struct PERCReceived: Sendable, Equatable {
    /// The RTP packet now at the start of the buffer, with the distributor's PT and SEQ and the
    /// sender's end-to-end authenticated fields (see `DoubleSRTPReceived`).
    public let media: DoubleSRTPReceived
    /// The SPI of the EKT key whose FullEKTField delivered the sender's end-to-end key
    /// (RFC 8870 §4.2).
    public let spi: UInt16
    /// The epoch that key was announced with (RFC 8870 §4.1).
    public let epoch: UInt16

    /// Length of the RTP packet now at the start of the buffer.
    public var length: Int { media.length }
}
