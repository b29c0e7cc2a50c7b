/// Which implementation does the packet cryptography of a session.
public enum SRTPEngineKind: String, CaseIterable, Sendable, CustomStringConvertible {
    /// The library's own SRTP on OpenSSL EVP: the default and the fast path.
    case openSSL = "OpenSSL"
    /// libsrtp2 (`srtp_protect`/`srtp_unprotect`): the reference the fast path is checked against.
    case libsrtp2 = "libsrtp2"

    public var description: String { rawValue }
}

/// The direction of a stream within a session.
public enum StreamDirection: Sendable, Hashable {
    /// Streams this session protects (sends).
    case outbound
    /// Streams this session unprotects (receives).
    case inbound
}

/// The packet transforms of one session, behind which the two engines sit.
///
/// Every call works in place on `packet`, whose first `length` octets hold the input and whose
/// `count` is the capacity. The session has already parsed the header (`header`), checked the
/// capacity against the profile's overhead, and holds its lock. On any thrown error the engine
/// leaves `packet` and its own state exactly as they were. Engines are `@unchecked Sendable`:
/// they hold mutable state that only the owning session's lock guards.
protocol SRTPEngine: AnyObject, Sendable {
    /// RTP → SRTP. Returns the protected length.
    func protectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    /// SRTP → RTP. Returns the plaintext length.
    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    /// RTCP → SRTCP. Returns the protected length.
    func protectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    /// SRTCP → RTCP. Returns the plaintext length.
    func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    /// The ROC of a stream, or nil if the stream does not exist yet.
    func rolloverCounter(ssrc: UInt32, direction: StreamDirection) -> UInt32?
    /// Sets the ROC of a stream, creating it if needed (late join, RFC 3711 §3.3.1).
    func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, direction: StreamDirection)
        throws(SRTPError)
    /// Sets the SRTCP index the next RTCP packet protected for `ssrc` carries (RFC 3711 §3.4: the
    /// index is explicit on the wire). Conformance vectors only; `.unsupported` where the engine
    /// cannot honour it.
    func setNextSRTCPIndex(_ index: UInt32, ssrc: UInt32) throws(SRTPError)
    /// Frees every context and wipes every key copy the engine holds. The engine is not used after.
    func wipe()
}
