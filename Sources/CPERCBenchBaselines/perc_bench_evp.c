/* Low-level SHA-1 is deprecated in OpenSSL 3.0, but copying a precomputed SHA_CTX is the cheapest
 * way to reuse the keyed HMAC state per packet: exactly what a floor should use. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "CPERCBenchBaselines.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define GCM_TAG 16
#define CM_SHA1_TAG 10

struct perc_bench_evp {
    int kind;
    EVP_CIPHER_CTX *evp;
    SHA_CTX hmac_inner; /* after absorbing k_a XOR ipad (RFC 2104) */
    SHA_CTX hmac_outer; /* after absorbing k_a XOR opad */
    uint8_t salt[14];
};

uint64_t perc_bench_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

uint64_t perc_bench_thread_cpu_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

const char *perc_bench_openssl_version(void) { return OpenSSL_version(OPENSSL_VERSION); }

perc_bench_evp *perc_bench_evp_new(int kind, int seal, const uint8_t *key, size_t key_len,
                                   const uint8_t *salt, size_t salt_len, const uint8_t *auth_key,
                                   size_t auth_key_len) {
    const EVP_CIPHER *cipher = NULL;
    if (kind == PERC_BENCH_GCM && salt_len == 12 && auth_key_len == 0) {
        cipher = key_len == 16 ? EVP_aes_128_gcm() : key_len == 32 ? EVP_aes_256_gcm() : NULL;
    } else if (kind == PERC_BENCH_CM_SHA1 && key_len == 16 && salt_len == 14 &&
               auth_key_len == 20) {
        cipher = EVP_aes_128_ctr();
    }
    if (cipher == NULL) return NULL;
    perc_bench_evp *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return NULL;
    ctx->kind = kind;
    memcpy(ctx->salt, salt, salt_len);
    ctx->evp = EVP_CIPHER_CTX_new();
    /* Key schedule once; per packet only the IV is set. */
    if (ctx->evp == NULL ||
        EVP_CipherInit_ex(ctx->evp, cipher, NULL, key, NULL, kind == PERC_BENCH_GCM ? seal : 1) != 1) {
        perc_bench_evp_free(ctx);
        return NULL;
    }
    if (kind == PERC_BENCH_CM_SHA1) {
        uint8_t block[64] = {0};
        memcpy(block, auth_key, auth_key_len);
        for (size_t i = 0; i < sizeof block; i++) block[i] ^= 0x36;
        SHA1_Init(&ctx->hmac_inner);
        SHA1_Update(&ctx->hmac_inner, block, sizeof block);
        for (size_t i = 0; i < sizeof block; i++) block[i] ^= 0x36 ^ 0x5c;
        SHA1_Init(&ctx->hmac_outer);
        SHA1_Update(&ctx->hmac_outer, block, sizeof block);
        OPENSSL_cleanse(block, sizeof block);
    }
    return ctx;
}

void perc_bench_evp_free(perc_bench_evp *ctx) {
    if (ctx == NULL) return;
    EVP_CIPHER_CTX_free(ctx->evp);
    OPENSSL_cleanse(ctx, sizeof *ctx);
    free(ctx);
}

/* IV = salt XOR (SSRC at octet 2 ‖ index at octet 6) for GCM (RFC 7714 §8.1), or
 * (salt ‖ 00 00) XOR (SSRC at octet 4 ‖ index at octet 8) for AES-CM (RFC 3711 §4.1.1). */
static void make_iv(const perc_bench_evp *ctx, uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
    int gcm = ctx->kind == PERC_BENCH_GCM;
    size_t ssrc_at = gcm ? 2 : 4;
    size_t index_at = gcm ? 6 : 8;
    memcpy(iv, ctx->salt, gcm ? 12 : 14);
    iv[14] = 0;
    iv[15] = 0;
    for (int i = 0; i < 4; i++) iv[ssrc_at + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
    for (int i = 0; i < 6; i++) iv[index_at + i] ^= (uint8_t)(index >> (40 - 8 * i));
}

static int gcm_seal(perc_bench_evp *ctx, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                    uint8_t *tag) {
    int n = 0;
    uint8_t none[16];
    return EVP_EncryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) == 1 &&
           EVP_EncryptUpdate(ctx->evp, NULL, &n, aad, (int)aad_len) == 1 &&
           (aad2_len == 0 || EVP_EncryptUpdate(ctx->evp, NULL, &n, aad2, (int)aad2_len) == 1) &&
           (len == 0 || EVP_EncryptUpdate(ctx->evp, data, &n, data, (int)len) == 1) &&
           EVP_EncryptFinal_ex(ctx->evp, none, &n) == 1 &&
           EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_GET_TAG, GCM_TAG, tag) == 1;
}

static int gcm_open(perc_bench_evp *ctx, const uint8_t *iv, const uint8_t *aad, size_t aad_len,
                    const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                    const uint8_t *tag) {
    int n = 0;
    uint8_t none[16];
    return EVP_DecryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) == 1 &&
           EVP_DecryptUpdate(ctx->evp, NULL, &n, aad, (int)aad_len) == 1 &&
           (aad2_len == 0 || EVP_DecryptUpdate(ctx->evp, NULL, &n, aad2, (int)aad2_len) == 1) &&
           (len == 0 || EVP_DecryptUpdate(ctx->evp, data, &n, data, (int)len) == 1) &&
           EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_SET_TAG, GCM_TAG, (void *)tag) == 1 &&
           EVP_DecryptFinal_ex(ctx->evp, none, &n) == 1;
}

/* HMAC-SHA1 over msg ‖ ROC (RFC 3711 §4.2), from the precomputed states. */
static void hmac_sha1(const perc_bench_evp *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                      uint8_t digest[SHA_DIGEST_LENGTH]) {
    uint8_t roc_be[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8),
                         (uint8_t)roc};
    SHA_CTX sha = ctx->hmac_inner;
    SHA1_Update(&sha, msg, len);
    SHA1_Update(&sha, roc_be, sizeof roc_be);
    SHA1_Final(digest, &sha);
    sha = ctx->hmac_outer;
    SHA1_Update(&sha, digest, SHA_DIGEST_LENGTH);
    SHA1_Final(digest, &sha);
}

static int ctr_xor(perc_bench_evp *ctx, const uint8_t *iv, uint8_t *data, size_t len) {
    int n = 0;
    return EVP_EncryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) == 1 &&
           (len == 0 || EVP_EncryptUpdate(ctx->evp, data, &n, data, (int)len) == 1);
}

int perc_bench_evp_protect(perc_bench_evp *ctx, uint8_t *packet, size_t header_len, size_t length,
                           uint32_t ssrc, uint64_t index) {
    uint8_t iv[16];
    if (length > INT_MAX || header_len > length) return -1;
    make_iv(ctx, ssrc, index, iv);
    if (ctx->kind == PERC_BENCH_GCM) {
        int ok = gcm_seal(ctx, iv, packet, header_len, NULL, 0, packet + header_len,
                          length - header_len, packet + length);
        return ok ? (int)(length + GCM_TAG) : -1;
    }
    uint8_t digest[SHA_DIGEST_LENGTH];
    if (!ctr_xor(ctx, iv, packet + header_len, length - header_len)) return -1;
    hmac_sha1(ctx, packet, length, (uint32_t)(index >> 16), digest);
    memcpy(packet + length, digest, CM_SHA1_TAG);
    return (int)(length + CM_SHA1_TAG);
}

int perc_bench_evp_unprotect(perc_bench_evp *ctx, uint8_t *packet, size_t header_len,
                             size_t length, uint32_t ssrc, uint64_t index) {
    uint8_t iv[16];
    size_t tag_len = ctx->kind == PERC_BENCH_GCM ? GCM_TAG : CM_SHA1_TAG;
    if (length > INT_MAX || header_len + tag_len > length) return -1;
    size_t end = length - tag_len;
    make_iv(ctx, ssrc, index, iv);
    if (ctx->kind == PERC_BENCH_GCM) {
        int ok = gcm_open(ctx, iv, packet, header_len, NULL, 0, packet + header_len,
                          end - header_len, packet + end);
        return ok ? (int)end : -1;
    }
    uint8_t digest[SHA_DIGEST_LENGTH];
    hmac_sha1(ctx, packet, end, (uint32_t)(index >> 16), digest);
    if (CRYPTO_memcmp(digest, packet + end, CM_SHA1_TAG) != 0) return -1;
    if (!ctr_xor(ctx, iv, packet + header_len, end - header_len)) return -1;
    return (int)end;
}

int perc_bench_evp_protect_rtcp(perc_bench_evp *ctx, uint8_t *packet, size_t length, uint32_t ssrc,
                                uint32_t index) {
    uint8_t iv[16];
    uint8_t trailer[4] = {(uint8_t)(0x80 | (index >> 24)), (uint8_t)(index >> 16),
                          (uint8_t)(index >> 8), (uint8_t)index};
    if (ctx->kind != PERC_BENCH_GCM || length > INT_MAX || length < 8) return -1;
    make_iv(ctx, ssrc, index, iv);
    if (!gcm_seal(ctx, iv, packet, 8, trailer, sizeof trailer, packet + 8, length - 8,
                  packet + length))
        return -1;
    memcpy(packet + length + GCM_TAG, trailer, sizeof trailer);
    return (int)(length + GCM_TAG + sizeof trailer);
}

int perc_bench_evp_unprotect_rtcp(perc_bench_evp *ctx, uint8_t *packet, size_t length,
                                  uint32_t ssrc) {
    uint8_t iv[16];
    if (ctx->kind != PERC_BENCH_GCM || length > INT_MAX || length < 8 + GCM_TAG + 4) return -1;
    const uint8_t *trailer = packet + length - 4;
    uint32_t index = ((uint32_t)(trailer[0] & 0x7f) << 24) | ((uint32_t)trailer[1] << 16) |
                     ((uint32_t)trailer[2] << 8) | trailer[3];
    size_t end = length - 4 - GCM_TAG;
    make_iv(ctx, ssrc, index, iv);
    if (!gcm_open(ctx, iv, packet, 8, trailer, 4, packet + 8, end - 8, packet + end)) return -1;
    return (int)end;
}

/* The synthetic header of RFC 8723 §5.1 step 3: the fixed header and CSRC list, X cleared. */
static size_t synthetic_header(const uint8_t *packet, uint8_t out[12 + 15 * 4]) {
    size_t len = 12 + 4 * (size_t)(packet[0] & 0x0f);
    memcpy(out, packet, len);
    out[0] &= (uint8_t)~0x10;
    return len;
}

int perc_bench_evp_double_protect(perc_bench_evp *inner, perc_bench_evp *outer, uint8_t *packet,
                                  size_t header_len, size_t length, uint32_t ssrc, uint64_t index) {
    uint8_t iv[16];
    uint8_t aad[12 + 15 * 4];
    if (inner->kind != PERC_BENCH_GCM || outer->kind != PERC_BENCH_GCM || length > INT_MAX ||
        header_len > length)
        return -1;
    size_t aad_len = synthetic_header(packet, aad);
    make_iv(inner, ssrc, index, iv);
    if (!gcm_seal(inner, iv, aad, aad_len, NULL, 0, packet + header_len, length - header_len,
                  packet + length))
        return -1;
    size_t end = length + GCM_TAG;
    packet[end++] = 0x00; /* empty OHB */
    make_iv(outer, ssrc, index, iv);
    if (!gcm_seal(outer, iv, packet, header_len, NULL, 0, packet + header_len, end - header_len,
                  packet + end))
        return -1;
    return (int)(end + GCM_TAG);
}

int perc_bench_evp_double_unprotect(perc_bench_evp *inner, perc_bench_evp *outer, uint8_t *packet,
                                    size_t header_len, size_t length, uint32_t ssrc,
                                    uint64_t index) {
    uint8_t iv[16];
    uint8_t aad[12 + 15 * 4];
    if (inner->kind != PERC_BENCH_GCM || outer->kind != PERC_BENCH_GCM || length > INT_MAX ||
        header_len + 2 * GCM_TAG + 1 > length)
        return -1;
    size_t end = length - GCM_TAG;
    make_iv(outer, ssrc, index, iv);
    if (!gcm_open(outer, iv, packet, header_len, NULL, 0, packet + header_len, end - header_len,
                  packet + end))
        return -1;
    if (packet[--end] != 0x00) return -1; /* this floor handles the empty OHB only */
    end -= GCM_TAG;
    size_t aad_len = synthetic_header(packet, aad);
    make_iv(inner, ssrc, index, iv);
    if (!gcm_open(inner, iv, aad, aad_len, NULL, 0, packet + header_len, end - header_len,
                  packet + end))
        return -1;
    return (int)end;
}

int perc_bench_evp_relay(perc_bench_evp *outer_in, perc_bench_evp *outer_out, uint8_t *packet,
                         size_t header_len, size_t length, uint32_t ssrc, uint64_t index_in,
                         uint64_t index_out, int new_pt, int new_marker) {
    uint8_t iv[16];
    if (outer_in->kind != PERC_BENCH_GCM || outer_out->kind != PERC_BENCH_GCM ||
        length > INT_MAX || header_len + 2 * GCM_TAG + 1 > length)
        return -1;
    size_t end = length - GCM_TAG;
    make_iv(outer_in, ssrc, index_in, iv);
    if (!gcm_open(outer_in, iv, packet, header_len, NULL, 0, packet + header_len,
                  end - header_len, packet + end))
        return -1;
    if (packet[end - 1] != 0x00) return -1; /* the empty OHB */
    /* RFC 8723 §4: OHB = [original PT] [original SEQ] Config (R R R R B M P Q). */
    size_t at = end - 1;
    uint8_t config = 0;
    int pt = packet[1] & 0x7f, marker = packet[1] >> 7;
    uint16_t seq = (uint16_t)(packet[2] << 8 | packet[3]), out_seq = (uint16_t)index_out;
    if (new_pt >= 0 && new_pt != pt) {
        packet[at++] = (uint8_t)pt;
        config |= 0x02;
        pt = new_pt;
    }
    if (out_seq != seq) {
        packet[at++] = packet[2];
        packet[at++] = packet[3];
        config |= 0x01;
    }
    if (new_marker >= 0 && new_marker != marker) {
        config |= (uint8_t)(0x04 | (marker ? 0x08 : 0));
        marker = new_marker;
    }
    packet[at++] = config;
    end = at;
    packet[1] = (uint8_t)(marker << 7 | pt);
    packet[2] = (uint8_t)(out_seq >> 8);
    packet[3] = (uint8_t)out_seq;
    make_iv(outer_out, ssrc, index_out, iv);
    if (!gcm_seal(outer_out, iv, packet, header_len, NULL, 0, packet + header_len,
                  end - header_len, packet + end))
        return -1;
    return (int)(end + GCM_TAG);
}
