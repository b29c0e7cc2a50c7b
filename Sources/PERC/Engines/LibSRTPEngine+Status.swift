internal import CLibSRTP

extension LibSRTPEngine {
    static let libraryName = "libsrtp2"

    /// The `SRTPError` for a failed `srtp_protect*` / `srtp_unprotect*` call.
    static func packetError(_ status: srtp_err_status_t) -> SRTPError {
        switch status {
        case srtp_err_status_auth_fail:
            // RFC 3711 §3.3 step 5 / RFC 7714 §5.3: the tag did not verify.
            .authenticationFailed
        case srtp_err_status_cant_check:
            // SRTCP whose E flag contradicts the context's service (srtp_unprotect_rtcp): it
            // cannot be verified under this context, which is an authentication failure.
            .authenticationFailed
        case srtp_err_status_replay_fail:
            .replayed  // RFC 3711 §3.3.2: index already received.
        case srtp_err_status_replay_old, srtp_err_status_pkt_idx_old:
            .tooOld  // RFC 3711 §3.3.2: index behind the window (or 2^15 behind a signalled ROC).
        case srtp_err_status_bad_mki:
            .malformed(.unknownMKI)
        case srtp_err_status_key_expired:
            // srtp_rdb_increment: SRTCP index at 2^31 − 1; srtp_key_limit: 2^48 packets.
            .indexExhausted
        case srtp_err_status_bad_param, srtp_err_status_parse_err:
            // On packets libsrtp2 returns these for lengths that cannot hold the header,
            // trailer, tag or MKI.
            .malformed(.truncated)
        default:
            underlyingError(status)
        }
    }

    /// The `SRTPError` for a failure outside packet processing (initialisation, streams).
    static func underlyingError(_ status: srtp_err_status_t) -> SRTPError {
        .underlying(library: libraryName, code: Int32(bitPattern: status.rawValue))
    }
}
