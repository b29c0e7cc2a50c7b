#ifndef PERC_BENCH_BASELINES_H
#define PERC_BENCH_BASELINES_H
#include <stddef.h>
#include <stdint.h>

/* Benchmark baselines: the packet cryptography of the SRTP engines done the shortest way OpenSSL
 * and libsrtp2 allow, so `perc bench` can show what the library adds on top. Used only by the
 * PERCBench target, never by the library.
 *
 * Raw EVP (the practical floor): one EVP_CIPHER_CTX per direction keyed once, only the IV set per
 * packet; HMAC-SHA1 from precomputed inner/outer SHA-1 states. No header parsing, no replay or
 * index bookkeeping: the caller passes the header length, SSRC and index. Written independently of
 * the library's shim on purpose, so a cost added there shows up as a ratio above 1.
 *
 * Raw libsrtp2: srtp_protect / srtp_unprotect (and the RTCP pair) called directly in place, no
 * scratch copy; sessions are created with the library's policy code (perc_srtp_create).
 *
 * Packet functions return the new packet length, or -1 on any failure (a failure in a benchmark
 * is a bug: the harness stops). */

/* Monotonic clock in nanoseconds (CLOCK_MONOTONIC). */
uint64_t perc_bench_now_ns(void);

/* CPU time of the calling thread in nanoseconds (CLOCK_THREAD_CPUTIME_ID). */
uint64_t perc_bench_thread_cpu_ns(void);

/* OpenSSL_version(OPENSSL_VERSION) and srtp_get_version_string(), for the report header. */
const char *perc_bench_openssl_version(void);
const char *perc_bench_libsrtp_version(void);

/* ---- raw OpenSSL EVP ------------------------------------------------------------------------ */

typedef struct perc_bench_evp perc_bench_evp;

#define PERC_BENCH_GCM 0     /* AEAD_AES_128/256_GCM: key 16 or 32, salt 12, no auth key */
#define PERC_BENCH_CM_SHA1 1 /* AES_CM_128_HMAC_SHA1_80: key 16, salt 14, auth key 20, tag 10 */

/* One direction (`seal` = 1 protects, 0 unprotects). NULL on failure. */
perc_bench_evp *perc_bench_evp_new(int kind, int seal, const uint8_t *key, size_t key_len,
                                   const uint8_t *salt, size_t salt_len, const uint8_t *auth_key,
                                   size_t auth_key_len);
void perc_bench_evp_free(perc_bench_evp *ctx);

/* SRTP (RFC 7714 §8 / RFC 3711 §3.1): packet[0..<header_len] is the header, the payload runs to
 * `length`; protect appends the tag (16 for GCM, 10 for HMAC-SHA1-80). `index` = ROC‖SEQ. */
int perc_bench_evp_protect(perc_bench_evp *ctx, uint8_t *packet, size_t header_len, size_t length,
                           uint32_t ssrc, uint64_t index);
int perc_bench_evp_unprotect(perc_bench_evp *ctx, uint8_t *packet, size_t header_len,
                             size_t length, uint32_t ssrc, uint64_t index);

/* SRTCP with GCM (RFC 7714 §9): | header (8) | payload | tag (16) | E‖index (4) |, AAD = the
 * header and the E‖index word. */
int perc_bench_evp_protect_rtcp(perc_bench_evp *ctx, uint8_t *packet, size_t length, uint32_t ssrc,
                                uint32_t index);
int perc_bench_evp_unprotect_rtcp(perc_bench_evp *ctx, uint8_t *packet, size_t length,
                                  uint32_t ssrc);

/* Double SRTP (RFC 8723 §5.1) on two GCM contexts of the same key size, `inner` (end-to-end) and
 * `outer` (hop-by-hop). Protect: inner GCM over the synthetic packet (AAD = the first 12 + 4·CC
 * header octets with the X bit cleared; the header extension is left out), then the empty OHB
 * (0x00), then outer GCM over inner ciphertext ‖ inner tag ‖ OHB with the full header as AAD:
 *   | header | payload (inner, then outer) | inner tag | OHB | outer tag |   (+33 octets)
 * Unprotect: outer open, OHB read (Config 0x00 only), inner open. One index for both layers. */
int perc_bench_evp_double_protect(perc_bench_evp *inner, perc_bench_evp *outer, uint8_t *packet,
                                  size_t header_len, size_t length, uint32_t ssrc, uint64_t index);
int perc_bench_evp_double_unprotect(perc_bench_evp *inner, perc_bench_evp *outer, uint8_t *packet,
                                    size_t header_len, size_t length, uint32_t ssrc,
                                    uint64_t index);

/* Media Distributor relay of a double packet (RFC 8723 §6.1): outer open with the inbound hop's
 * context; SEQ rewritten to the low 16 bits of `index_out`, PT to `new_pt` and M to `new_marker`
 * (-1: keep), each changed original recorded in the OHB (RFC 8723 §4: [PT] [SEQ] Config; the
 * packet must carry the empty OHB); outer seal with the outbound hop's context and `index_out`.
 * The inner layer is never touched. */
int perc_bench_evp_relay(perc_bench_evp *outer_in, perc_bench_evp *outer_out, uint8_t *packet,
                         size_t header_len, size_t length, uint32_t ssrc, uint64_t index_in,
                         uint64_t index_out, int new_pt, int new_marker);

/* ---- raw libsrtp2 --------------------------------------------------------------------------- */

typedef struct perc_bench_libsrtp perc_bench_libsrtp;

/* A libsrtp2 session for one direction. `kind` is PERC_BENCH_GCM (master key ‖ salt of 16 + 12 or
 * 32 + 12 octets) or PERC_BENCH_CM_SHA1 (16 + 14). NULL on failure. */
perc_bench_libsrtp *perc_bench_libsrtp_new(int kind, const uint8_t *master, size_t master_len,
                                           int outbound);
void perc_bench_libsrtp_free(perc_bench_libsrtp *session);

int perc_bench_libsrtp_protect(perc_bench_libsrtp *session, uint8_t *packet, size_t length);
int perc_bench_libsrtp_unprotect(perc_bench_libsrtp *session, uint8_t *packet, size_t length);
int perc_bench_libsrtp_protect_rtcp(perc_bench_libsrtp *session, uint8_t *packet, size_t length);
int perc_bench_libsrtp_unprotect_rtcp(perc_bench_libsrtp *session, uint8_t *packet,
                                      size_t length);

#endif
