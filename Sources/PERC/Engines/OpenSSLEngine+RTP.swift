/// SRTP (RFC 3711 §3.1, §3.3; RFC 7714 §8).
///
/// Wire layouts this engine writes and reads (byte-identical to libsrtp2):
/// ```
/// AES-CM / NULL + HMAC-SHA1 (RFC 3711 §3.1):
///   | RTP header | payload (encrypted) | MKI (opt.) | tag (4 or 10) |
///   tag = HMAC-SHA1(k_a, header ‖ payload ‖ ROC), MKI not authenticated
/// AES-GCM (RFC 7714 §8.2, MKI after the AEAD output as libsrtp places it):
///   | RTP header (AAD) | ciphertext | tag (16) | MKI (opt.) |
/// AES-GCM authentication only (RFC 7714 §7.1): the whole packet is AAD, the plaintext empty:
///   | RTP header ‖ payload (AAD, clear) | tag (16) | MKI (opt.) |
/// ```
extension OpenSSLEngine {
    func protectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    {
        let keys = try srtp.seal
        let stream = outbound[header.ssrc]
        // The sender estimates the index from SEQ like the receiver (as libsrtp does), so a SEQ
        // reused within the window is refused instead of re-using keystream (RFC 3711 §9.2), and
        // a wrap past ROC 2^32 − 1 is refused (RFC 3711 §3.3.1: rekey before 2^48 packets).
        let estimator = stream?.rtpIndex ?? RolloverEstimator()
        guard let estimate = estimator.estimate(header.sequenceNumber) else {
            throw .indexExhausted
        }
        if let stream { try Self.admit(stream.sentRTP.check(estimate.index)) }

        let payload = UnsafeMutableRawBufferPointer(rebasing: packet[header.length..<length])
        let protectedLength: Int
        if profile.isAEAD {
            let tag = UnsafeMutableRawBufferPointer(rebasing: packet[length..<length + 16])
            if encryptRTP {
                // RFC 7714 §8.2: AAD = the RTP header; plaintext = payload (‖ padding).
                try keys.seal(
                    ssrc: header.ssrc, index: estimate.index,
                    aad: UnsafeRawBufferPointer(rebasing: packet[..<header.length]),
                    data: payload, tag: tag)
            } else {
                // RFC 7714 §7.1: authentication only — the whole packet is AAD.
                try keys.seal(
                    ssrc: header.ssrc, index: estimate.index,
                    aad: UnsafeRawBufferPointer(rebasing: packet[..<length]), tag: tag)
            }
            writeMKI(packet, at: length + 16)
            protectedLength = length + 16 + mki.count
        } else {
            // RFC 3711 §3.3: encrypt, then authenticate header ‖ encrypted payload ‖ ROC.
            if encryptRTP {
                try keys.xorKeystream(ssrc: header.ssrc, index: estimate.index, payload)
            }
            writeMKI(packet, at: length)
            let tagStart = length + mki.count
            keys.writeTag(
                over: UnsafeRawBufferPointer(rebasing: packet[..<length]), roc: estimate.roc,
                to: UnsafeMutableRawBufferPointer(
                    rebasing: packet[tagStart..<tagStart + rtpTagLength]))
            protectedLength = tagStart + rtpTagLength
        }

        let committed = stream ?? outboundStream(header.ssrc)
        committed.rtpIndex.update(estimate)
        committed.sentRTP.accept(estimate.index)
        return protectedLength
    }

    func unprotectRTP(_ packet: UnsafeMutableRawBufferPointer, length: Int, header: RTPHeader)
        throws(SRTPError) -> Int
    {
        let keys = try srtp.open
        // The session checked length ≥ header + tag + MKI.
        let payloadEnd: Int
        let mkiStart: Int
        let tagStart: Int
        if profile.isAEAD {
            payloadEnd = length - mki.count - 16
            tagStart = payloadEnd
            mkiStart = payloadEnd + 16
        } else {
            payloadEnd = length - mki.count - rtpTagLength
            mkiStart = payloadEnd
            tagStart = payloadEnd + mki.count
        }
        try checkMKI(packet, at: mkiStart)

        // RFC 3711 §3.3 receiver order: estimate the index, check replay, verify, decrypt, and
        // only then update ROC, s_l, the replay list and the stream table.
        let stream = inbound[header.ssrc]
        let estimator = stream?.rtpIndex ?? RolloverEstimator()
        guard let estimate = estimator.estimate(header.sequenceNumber) else {
            throw .indexExhausted
        }
        if let stream { try Self.admit(stream.receivedRTP.check(estimate.index)) }

        if profile.isAEAD {
            let tag = UnsafeRawBufferPointer(rebasing: packet[tagStart..<tagStart + 16])
            let aadEnd = encryptRTP ? header.length : payloadEnd
            // RFC 7714 §5.3: the tag is verified before any plaintext is released; on failure
            // perc_gcm_open restores the ciphertext.
            try keys.open(
                ssrc: header.ssrc, index: estimate.index,
                aad: UnsafeRawBufferPointer(rebasing: packet[..<aadEnd]),
                data: UnsafeMutableRawBufferPointer(rebasing: packet[aadEnd..<payloadEnd]),
                tag: tag)
        } else {
            // RFC 3711 §4.2: M = header ‖ encrypted payload ‖ ROC of the guessed index.
            try keys.verifyTag(
                over: UnsafeRawBufferPointer(rebasing: packet[..<payloadEnd]), roc: estimate.roc,
                tag: UnsafeRawBufferPointer(rebasing: packet[tagStart..<tagStart + rtpTagLength]))
            if encryptRTP {
                try keys.xorKeystream(
                    ssrc: header.ssrc, index: estimate.index,
                    UnsafeMutableRawBufferPointer(rebasing: packet[header.length..<payloadEnd]))
            }
        }

        let committed = stream ?? inboundStream(header.ssrc)
        committed.rtpIndex.update(estimate)
        committed.receivedRTP.accept(estimate.index)
        return payloadEnd
    }
}
