internal import CPERCShims

/// What Debian's libsrtp2 2.5 (NSS build) can express exactly as RFC 3711, RFC 6188 and RFC 7714
/// define it. Everything else is refused with `SRTPError.unsupported` instead of being
/// approximated: this engine is the reference the fast path is checked against.
extension LibSRTPEngine {
    /// The largest window libsrtp2 accepts is 0x7FFF (`srtp_stream_init`: 64 ≤ w < 0x8000).
    static let largestReplayWindow = 0x7FFF
    /// libsrtp2 rounds the SRTP replay bitmap up to whole 32-bit words (`bitvector_alloc`).
    static let replayWindowGranule = 32
    /// NSS AES-GCM in libsrtp2 buffers the AAD in a fixed 2048-octet array (`MAX_AD_SIZE`).
    static let largestGCMAAD = 2048

    /// Throws `.unsupported` with the reason when libsrtp2 cannot express `configuration` exactly.
    static func checkExpressible(_ configuration: SRTPSession.Configuration) throws(SRTPError) {
        let profile = configuration.profile
        if profile == .aesCM192HMACSHA1_80 {
            // srtp_stream_init_keys picks a 46-octet KDF for any key ‖ salt longer than 30
            // octets, so AES-192 is keyed through AES-256 with master key ‖ salt[0..<8] and salt
            // salt[8..<14] ‖ 0^8; RFC 6188 §3.1 requires the AES_192_CM_PRF.
            throw .unsupported(
                "AES_CM_192_HMAC_SHA1_80: libsrtp2 2.5 derives its session keys with an AES-256 "
                    + "PRF over master key ‖ part of the salt, not RFC 6188's AES_192_CM_PRF")
        }
        if profile.isAEAD, !configuration.encryptRTP {
            // srtp_protect_aead ignores the policy's sec_serv and always encrypts.
            throw .unsupported(
                "\(profile) without SRTP encryption: libsrtp2's AEAD SRTP path always encrypts")
        }
        if configuration.mki != nil, profile.rtpTagLength != profile.rtcpTagLength {
            // srtp_get_session_keys finds the MKI of an SRTCP packet with the SRTP tag length,
            // so under the _32 suites (80-bit SRTCP tag) it looks 6 octets off, inside the tag.
            throw .unsupported(
                "\(profile) with an MKI: libsrtp2 2.5 locates the SRTCP MKI with the 32-bit SRTP "
                    + "tag length and cannot unprotect such SRTCP")
        }
        let window = configuration.replayWindow
        if window > largestReplayWindow {
            throw .unsupported(
                "replay window \(window): libsrtp2 accepts at most \(largestReplayWindow)")
        }
        if window % replayWindowGranule != 0 {
            throw .unsupported(
                "replay window \(window): libsrtp2 rounds the window up to a multiple of "
                    + "\(replayWindowGranule)")
        }
    }

    /// The shim's name for a profile.
    static func shimProfile(_ profile: SRTPProfile) -> perc_srtp_profile {
        switch profile {
        case .aesCM128HMACSHA1_80: PERC_SRTP_AES_CM_128_HMAC_SHA1_80
        case .aesCM128HMACSHA1_32: PERC_SRTP_AES_CM_128_HMAC_SHA1_32
        case .aesCM192HMACSHA1_80: PERC_SRTP_AES_CM_192_HMAC_SHA1_80
        case .aesCM256HMACSHA1_80: PERC_SRTP_AES_CM_256_HMAC_SHA1_80
        case .aesCM256HMACSHA1_32: PERC_SRTP_AES_CM_256_HMAC_SHA1_32
        case .nullHMACSHA1_80: PERC_SRTP_NULL_HMAC_SHA1_80
        case .nullHMACSHA1_32: PERC_SRTP_NULL_HMAC_SHA1_32
        case .aeadAES128GCM: PERC_SRTP_AEAD_AES_128_GCM
        case .aeadAES256GCM: PERC_SRTP_AEAD_AES_256_GCM
        }
    }

    /// Throws `.unsupported` when an AEAD packet needs more AAD than libsrtp2's NSS GCM can hold.
    func checkGCMAAD(_ length: Int) throws(SRTPError) {
        guard configuration.profile.isAEAD, length > Self.largestGCMAAD else { return }
        throw .unsupported(
            "\(length) octets of AES-GCM AAD: libsrtp2 (NSS) takes at most \(Self.largestGCMAAD)")
    }
}
