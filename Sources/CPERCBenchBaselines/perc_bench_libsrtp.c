#include "CPERCBenchBaselines.h"

#include <stdlib.h>

#include <srtp2/srtp.h>

#include "perc_libsrtp.h"

struct perc_bench_libsrtp {
    srtp_t session;
};

const char *perc_bench_libsrtp_version(void) { return srtp_get_version_string(); }

perc_bench_libsrtp *perc_bench_libsrtp_new(int kind, const uint8_t *master, size_t master_len,
                                           int outbound) {
    perc_srtp_profile profile;
    if (kind == PERC_BENCH_GCM && master_len == 16 + 12) {
        profile = PERC_SRTP_AEAD_AES_128_GCM;
    } else if (kind == PERC_BENCH_GCM && master_len == 32 + 12) {
        profile = PERC_SRTP_AEAD_AES_256_GCM;
    } else if (kind == PERC_BENCH_CM_SHA1 && master_len == 16 + 14) {
        profile = PERC_SRTP_AES_CM_128_HMAC_SHA1_80;
    } else {
        return NULL;
    }
    /* libsrtp2 may be initialised once per process: share the library's once-guard. */
    if (perc_srtp_init_once() != srtp_err_status_ok) return NULL;
    perc_srtp_keying keying = {
        .profile = profile,
        .encrypt_rtp = 1,
        .encrypt_rtcp = 1,
        .master = master,
        .master_length = master_len,
        .mki = NULL,
        .mki_length = 0,
        .window_size = 1024,
    };
    perc_bench_libsrtp *session = calloc(1, sizeof *session);
    if (session == NULL) return NULL;
    if (perc_srtp_create(&session->session, &keying, outbound) != srtp_err_status_ok) {
        free(session);
        return NULL;
    }
    return session;
}

void perc_bench_libsrtp_free(perc_bench_libsrtp *session) {
    if (session == NULL) return;
    srtp_dealloc(session->session);
    free(session);
}

typedef srtp_err_status_t (*transform)(srtp_t, void *, int *);

static int run(transform call, perc_bench_libsrtp *session, uint8_t *packet, size_t length) {
    int len = (int)length;
    return call(session->session, packet, &len) == srtp_err_status_ok ? len : -1;
}

int perc_bench_libsrtp_protect(perc_bench_libsrtp *session, uint8_t *packet, size_t length) {
    return run(srtp_protect, session, packet, length);
}

int perc_bench_libsrtp_unprotect(perc_bench_libsrtp *session, uint8_t *packet, size_t length) {
    return run(srtp_unprotect, session, packet, length);
}

int perc_bench_libsrtp_protect_rtcp(perc_bench_libsrtp *session, uint8_t *packet, size_t length) {
    return run(srtp_protect_rtcp, session, packet, length);
}

int perc_bench_libsrtp_unprotect_rtcp(perc_bench_libsrtp *session, uint8_t *packet,
                                      size_t length) {
    return run(srtp_unprotect_rtcp, session, packet, length);
}
