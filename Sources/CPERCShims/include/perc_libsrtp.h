#ifndef PERC_LIBSRTP_H
#define PERC_LIBSRTP_H
#include <stddef.h>
#include <stdint.h>
#include <srtp2/srtp.h>

/* libsrtp2 reference engine call sequences. Only the libsrtp2 engine uses these. */

/* The SRTP protection profiles, in the order of SRTPProfile. */
typedef enum {
    PERC_SRTP_AES_CM_128_HMAC_SHA1_80 = 0,
    PERC_SRTP_AES_CM_128_HMAC_SHA1_32 = 1,
    PERC_SRTP_AES_CM_192_HMAC_SHA1_80 = 2,
    PERC_SRTP_AES_CM_256_HMAC_SHA1_80 = 3,
    PERC_SRTP_AES_CM_256_HMAC_SHA1_32 = 4,
    PERC_SRTP_NULL_HMAC_SHA1_80 = 5,
    PERC_SRTP_NULL_HMAC_SHA1_32 = 6,
    PERC_SRTP_AEAD_AES_128_GCM = 7,
    PERC_SRTP_AEAD_AES_256_GCM = 8,
} perc_srtp_profile;

/* Everything one libsrtp2 policy needs. `master` is master key ‖ master salt and stays owned by
 * the caller; libsrtp2 only reads it during the call. */
typedef struct {
    perc_srtp_profile profile;
    int encrypt_rtp;          /* 0: sec_serv_auth for SRTP */
    int encrypt_rtcp;         /* 0: sec_serv_auth for SRTCP (E flag clear) */
    const uint8_t *master;
    size_t master_length;
    const uint8_t *mki;       /* NULL: no MKI */
    size_t mki_length;
    unsigned long window_size;
} perc_srtp_keying;

/* Runs srtp_init() exactly once per process (pthread_once) and returns its status every time. */
srtp_err_status_t perc_srtp_init_once(void);

/* srtp_create with one template policy (ssrc_any_outbound when outbound != 0, else
 * ssrc_any_inbound), then scrubs the stack the key derivation ran on. */
srtp_err_status_t perc_srtp_create(srtp_t *session, const perc_srtp_keying *keying, int outbound);

/* srtp_add_stream with an ssrc_specific policy for `ssrc`, then scrubs the stack. */
srtp_err_status_t perc_srtp_add_stream(srtp_t session, const perc_srtp_keying *keying,
                                       uint32_t ssrc);

/* srtp_remove_stream for `ssrc` (host order; libsrtp2 wants network order here). */
srtp_err_status_t perc_srtp_remove_stream(srtp_t session, uint32_t ssrc);

#endif
