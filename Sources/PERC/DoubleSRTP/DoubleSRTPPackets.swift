internal import CPERCShims

/// Packet steps shared by the double SRTP endpoints and the Media Distributor.
enum DoubleSRTPPacket {
    /// Parses the RTP header of the first `length` octets of `packet`.
    @inline(__always)
    static func header(_ packet: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> RTPHeader
    {
        guard length >= 0 else { throw .malformed(.truncated) }
        do {
            return try RTPHeader(parsing: UnsafeRawBufferPointer(packet), length: length)
        } catch {
            throw DoubleSRTPError(error, layer: .outer)
        }
    }

    /// Parses the clear part of an RTCP compound packet.
    @inline(__always)
    static func rtcpHeader(_ packet: UnsafeMutableRawBufferPointer, length: Int)
        throws(DoubleSRTPError) -> RTCPHeader
    {
        guard length >= 0 else { throw .malformed(.truncated) }
        do {
            return try RTCPHeader(parsing: UnsafeRawBufferPointer(packet), length: length)
        } catch {
            throw DoubleSRTPError(error, layer: .outer)
        }
    }

    /// Checks the RTP padding of a plaintext packet (RFC 3550 §5.1).
    @inline(__always)
    static func validatePadding(
        _ header: RTPHeader, _ packet: UnsafeMutableRawBufferPointer, length: Int
    ) throws(DoubleSRTPError) {
        do {
            try header.validatePadding(UnsafeRawBufferPointer(packet), packetLength: length)
        } catch {
            throw DoubleSRTPError(error, layer: .inner)
        }
    }

    /// Throws `.bufferTooSmall` unless `packet` holds `needed` octets.
    @inline(__always)
    static func requireCapacity(_ packet: UnsafeMutableRawBufferPointer, _ needed: Int)
        throws(DoubleSRTPError)
    {
        guard packet.count >= needed else { throw .bufferTooSmall(needed: needed) }
    }

    /// RFC 3711 §3.3.2: a replayed or too-old index is discarded.
    @inline(__always)
    static func admit(_ verdict: ReplayWindow.Verdict, _ layer: DoubleSRTPLayer)
        throws(DoubleSRTPError)
    {
        switch verdict {
        case .fresh: return
        case .replayed: throw .replayed(layer)
        case .tooOld: throw .tooOld(layer)
        }
    }

    /// Puts the outer ciphertext back after the outer layer was opened in place and a later step
    /// failed. GCM is deterministic: sealing the unchanged plaintext again at the same index with
    /// the same AAD rebuilds exactly the bytes received, ciphertext and tag, so no new
    /// (key, nonce) output arises. If even that fails (OpenSSL-internal), the plaintext is wiped.
    static func restoreOuter(
        _ keys: OpenSSLCryptoContextPair, ssrc: UInt32, index: RolloverEstimator.Estimate,
        aad: UnsafeRawBufferPointer, data: UnsafeMutableRawBufferPointer,
        tag: UnsafeMutableRawBufferPointer
    ) {
        do {
            try keys.seal.seal(ssrc: ssrc, index: index.index, aad: aad, data: data, tag: tag)
        } catch {
            perc_wipe(data.baseAddress, data.count)
        }
    }
}
