#define _GNU_SOURCE
#include "perc_libsrtp.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

/* ---- process-wide initialisation ------------------------------------------------------------ */

static pthread_once_t perc_srtp_once = PTHREAD_ONCE_INIT;
static srtp_err_status_t perc_srtp_init_status = srtp_err_status_init_fail;

static void perc_srtp_init_body(void) { perc_srtp_init_status = srtp_init(); }

srtp_err_status_t perc_srtp_init_once(void) {
    /* A second srtp_init() fails in libsrtp2 2.5; pthread_once also orders the write of the
     * status before every reader. */
    pthread_once(&perc_srtp_once, perc_srtp_init_body);
    return perc_srtp_init_status;
}

/* ---- stack scrubbing ------------------------------------------------------------------------ */

/* srtp_stream_init_keys() derives the session keys in a 256-octet local (tmp_key) and zeroes it,
 * but the master and session keys also pass through frames of srtp_kdf_init, NSS's
 * PK11_ImportSymKey and the key schedule that are left on the stack. Measured with Debian's
 * libsrtp2 2.5 (NSS): no key bytes were found below the stack pointer after srtp_create even
 * without this scrub; it stays so that no build of libsrtp2 or NSS has to be trusted on that.
 * Called right after srtp_create/srtp_add_stream from the frame that called them, this
 * function's frame covers the dead frames and zeroes them. 256 KiB is far deeper than libsrtp2 +
 * NSS key setup goes (about 19 KiB measured for srtp_create); callers need that much free stack. */
#define PERC_SRTP_STACK_SCRUB_OCTETS (256 * 1024)

__attribute__((noinline)) static void perc_srtp_scrub_stack(void) {
    unsigned char area[PERC_SRTP_STACK_SCRUB_OCTETS];
    explicit_bzero(area, sizeof area);
    /* Compiler barrier: the zeroed area is treated as read, so the stores stay. */
    __asm__ __volatile__("" : : "r"(area) : "memory");
}

/* ---- policies ------------------------------------------------------------------------------- */

/* Octets of master key ‖ master salt that libsrtp2 reads for a profile. */
static size_t perc_srtp_master_length(perc_srtp_profile profile) {
    switch (profile) {
    case PERC_SRTP_AES_CM_128_HMAC_SHA1_80:
    case PERC_SRTP_AES_CM_128_HMAC_SHA1_32:
    case PERC_SRTP_NULL_HMAC_SHA1_80:
    case PERC_SRTP_NULL_HMAC_SHA1_32: return 16 + 14;
    case PERC_SRTP_AES_CM_192_HMAC_SHA1_80: return 24 + 14;
    case PERC_SRTP_AES_CM_256_HMAC_SHA1_80:
    case PERC_SRTP_AES_CM_256_HMAC_SHA1_32: return 32 + 14;
    case PERC_SRTP_AEAD_AES_128_GCM: return 16 + 12;
    case PERC_SRTP_AEAD_AES_256_GCM: return 32 + 12;
    }
    return 0;
}

/* Sets the SRTP and SRTCP crypto policies of a profile. The _32 suites shorten only the SRTP
 * tag; SRTCP keeps 80 bits (RFC 3711 §5.2 via RFC 4568, RFC 6188 Tables 2 and 4). */
static int perc_srtp_set_crypto(srtp_policy_t *policy, perc_srtp_profile profile) {
    srtp_crypto_policy_t *rtp = &policy->rtp, *rtcp = &policy->rtcp;
    switch (profile) {
    case PERC_SRTP_AES_CM_128_HMAC_SHA1_80:
        /* srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80 is a macro for this in 2.5. */
        srtp_crypto_policy_set_rtp_default(rtp);
        srtp_crypto_policy_set_rtcp_default(rtcp);
        return 1;
    case PERC_SRTP_AES_CM_128_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
        srtp_crypto_policy_set_rtcp_default(rtcp);
        return 1;
    case PERC_SRTP_AES_CM_192_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_192_hmac_sha1_80(rtcp);
        return 1;
    case PERC_SRTP_AES_CM_256_HMAC_SHA1_80:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
        return 1;
    case PERC_SRTP_AES_CM_256_HMAC_SHA1_32:
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(rtp);
        srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
        return 1;
    case PERC_SRTP_NULL_HMAC_SHA1_80:
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtp);
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtcp);
        return 1;
    case PERC_SRTP_NULL_HMAC_SHA1_32:
        /* libsrtp2 has no NULL/HMAC-SHA1-32 setter: the _80 one with a 32-bit SRTP tag. */
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtp);
        rtp->auth_tag_len = 4;
        srtp_crypto_policy_set_null_cipher_hmac_sha1_80(rtcp);
        return 1;
    case PERC_SRTP_AEAD_AES_128_GCM:
        /* RFC 7714 §13.2: the full 16-octet tag. */
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
        return 1;
    case PERC_SRTP_AEAD_AES_256_GCM:
        srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
        srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
        return 1;
    }
    return 0;
}

/* Fills `policy` (and `master_key` when an MKI is used) from `keying`. The policy only points at
 * the caller's key buffer; nothing secret is copied here. */
static srtp_err_status_t perc_srtp_fill_policy(srtp_policy_t *policy, srtp_master_key_t *master_key,
                                               srtp_master_key_t **master_keys,
                                               const perc_srtp_keying *keying) {
    memset(policy, 0, sizeof *policy);
    if (keying->master == NULL || keying->master_length != perc_srtp_master_length(keying->profile))
        return srtp_err_status_bad_param;
    if (!perc_srtp_set_crypto(policy, keying->profile)) return srtp_err_status_bad_param;
    /* RFC 3711 §3.1 / §3.4: authentication only leaves the payload in the clear (E flag 0). */
    if (!keying->encrypt_rtp) policy->rtp.sec_serv = sec_serv_auth;
    if (!keying->encrypt_rtcp) policy->rtcp.sec_serv = sec_serv_auth;
    if (keying->mki != NULL) {
        if (keying->mki_length == 0 || keying->mki_length > SRTP_MAX_MKI_LEN)
            return srtp_err_status_bad_param;
        master_key->key = (unsigned char *)keying->master;
        master_key->mki_id = (unsigned char *)keying->mki;
        master_key->mki_size = (unsigned int)keying->mki_length;
        master_keys[0] = master_key;
        policy->keys = master_keys;
        policy->num_master_keys = 1;
    } else {
        policy->key = (unsigned char *)keying->master;
    }
    policy->window_size = keying->window_size;
    policy->allow_repeat_tx = 0;
    policy->next = NULL;
    return srtp_err_status_ok;
}

/* Clears the policy's pointers to the key (the bytes themselves belong to the caller). */
static void perc_srtp_clear_policy(srtp_policy_t *policy, srtp_master_key_t *master_key,
                                   srtp_master_key_t **master_keys) {
    explicit_bzero(policy, sizeof *policy);
    explicit_bzero(master_key, sizeof *master_key);
    explicit_bzero(master_keys, sizeof *master_keys);
}

srtp_err_status_t perc_srtp_create(srtp_t *session, const perc_srtp_keying *keying, int outbound) {
    srtp_policy_t policy;
    srtp_master_key_t master_key;
    srtp_master_key_t *master_keys[1];
    srtp_err_status_t status = perc_srtp_fill_policy(&policy, &master_key, master_keys, keying);
    if (status == srtp_err_status_ok) {
        policy.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
        policy.ssrc.value = 0;
        status = srtp_create(session, &policy);
        perc_srtp_scrub_stack();
    }
    perc_srtp_clear_policy(&policy, &master_key, master_keys);
    return status;
}

srtp_err_status_t perc_srtp_add_stream(srtp_t session, const perc_srtp_keying *keying,
                                       uint32_t ssrc) {
    srtp_policy_t policy;
    srtp_master_key_t master_key;
    srtp_master_key_t *master_keys[1];
    srtp_err_status_t status = perc_srtp_fill_policy(&policy, &master_key, master_keys, keying);
    if (status == srtp_err_status_ok) {
        policy.ssrc.type = ssrc_specific;
        policy.ssrc.value = ssrc; /* host order: srtp_stream_init applies htonl */
        status = srtp_add_stream(session, &policy);
        perc_srtp_scrub_stack();
    }
    perc_srtp_clear_policy(&policy, &master_key, master_keys);
    return status;
}

srtp_err_status_t perc_srtp_remove_stream(srtp_t session, uint32_t ssrc) {
    return srtp_remove_stream(session, htonl(ssrc));
}
