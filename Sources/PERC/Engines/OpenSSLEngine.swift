/// The library's own SRTP on OpenSSL EVP (placeholder until the engine lands).
final class OpenSSLEngine: SRTPEngine, @unchecked Sendable {
    init(configuration: SRTPSession.Configuration, keys: SessionKeying) throws(SRTPError) {
        throw .unsupported("OpenSSL engine not built yet")
    }
    func protectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    { throw .unsupported("") }
    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    { throw .unsupported("") }
    func protectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    { throw .unsupported("") }
    func unprotectRTCP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTCPHeader)
        throws(SRTPError) -> Int
    { throw .unsupported("") }
    func rolloverCounter(ssrc: UInt32, direction: StreamDirection) -> UInt32? { nil }
    func setRolloverCounter(_ roc: UInt32, ssrc: UInt32, direction: StreamDirection)
        throws(SRTPError)
    {}
    func wipe() {}
}
