/* Low-level SHA-1 is deprecated in OpenSSL 3.0 but copying a precomputed SHA_CTX is the cheapest
 * way to reuse the keyed HMAC inner/outer state per packet. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include "perc_openssl.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#define GCM_TAG_LEN 16
#define GCM_IV_LEN 12
#define CTR_SALT_LEN 14
#define SHA1_BLOCK 64

struct perc_srtp_ctx {
    int cipher;
    /* Keyed once at creation; per packet only the IV is set. NULL for the NULL cipher. */
    EVP_CIPHER_CTX *evp;
    /* SHA-1 states after absorbing (k_a XOR ipad) and (k_a XOR opad) (RFC 2104). */
    int has_hmac;
    SHA_CTX hmac_inner;
    SHA_CTX hmac_outer;
    /* Session salt k_s: 14 octets (AES-CM) or 12 (GCM). */
    uint8_t salt[CTR_SALT_LEN];
};

static const EVP_CIPHER *cipher_for(int cipher, size_t key_len) {
    if (cipher == PERC_CIPHER_AES_CM) {
        switch (key_len) {
        case 16: return EVP_aes_128_ctr();
        case 24: return EVP_aes_192_ctr();
        case 32: return EVP_aes_256_ctr();
        }
    } else if (cipher == PERC_CIPHER_AES_GCM) {
        switch (key_len) {
        case 16: return EVP_aes_128_gcm();
        case 24: return EVP_aes_192_gcm();
        case 32: return EVP_aes_256_gcm();
        }
    }
    return NULL;
}

/* RFC 2104: pad the key (hashed first if longer than a block) and absorb K XOR ipad / K XOR opad. */
static void hmac_precompute(perc_srtp_ctx *ctx, const uint8_t *key, size_t key_len) {
    uint8_t block[SHA1_BLOCK];
    memset(block, 0, sizeof block);
    if (key_len > SHA1_BLOCK) {
        SHA1(key, key_len, block);
    } else if (key_len > 0) {
        memcpy(block, key, key_len);
    }
    for (size_t i = 0; i < SHA1_BLOCK; i++) block[i] ^= 0x36;
    SHA1_Init(&ctx->hmac_inner);
    SHA1_Update(&ctx->hmac_inner, block, SHA1_BLOCK);
    for (size_t i = 0; i < SHA1_BLOCK; i++) block[i] ^= 0x36 ^ 0x5c;
    SHA1_Init(&ctx->hmac_outer);
    SHA1_Update(&ctx->hmac_outer, block, SHA1_BLOCK);
    OPENSSL_cleanse(block, sizeof block);
    ctx->has_hmac = 1;
}

perc_srtp_ctx *perc_srtp_ctx_new(int cipher, int encrypt, const uint8_t *key, size_t key_len,
                                 const uint8_t *salt, size_t salt_len, const uint8_t *auth_key,
                                 size_t auth_key_len) {
    size_t want_salt = cipher == PERC_CIPHER_AES_GCM ? GCM_IV_LEN : CTR_SALT_LEN;
    if (salt_len != want_salt) return NULL;
    if (cipher == PERC_CIPHER_AES_GCM && auth_key_len != 0) return NULL;
    if (cipher != PERC_CIPHER_AES_GCM && auth_key_len == 0) return NULL;

    perc_srtp_ctx *ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) return NULL;
    ctx->cipher = cipher;
    memcpy(ctx->salt, salt, salt_len);

    if (cipher != PERC_CIPHER_NULL) {
        const EVP_CIPHER *evp_cipher = cipher_for(cipher, key_len);
        ctx->evp = evp_cipher != NULL ? EVP_CIPHER_CTX_new() : NULL;
        if (ctx->evp == NULL) goto fail;
        /* Key schedule once, no IV yet (RFC 7714 IVs are 12 octets, GCM's default). */
        if (EVP_CipherInit_ex(ctx->evp, evp_cipher, NULL, key, NULL,
                              cipher == PERC_CIPHER_AES_GCM ? (encrypt != 0) : 1) != 1)
            goto fail;
    }
    if (auth_key_len > 0) hmac_precompute(ctx, auth_key, auth_key_len);
    return ctx;

fail:
    perc_srtp_ctx_free(ctx);
    return NULL;
}

void perc_srtp_ctx_free(perc_srtp_ctx *ctx) {
    if (ctx == NULL) return;
    EVP_CIPHER_CTX_free(ctx->evp); /* resets the provider context, which wipes the key schedule */
    OPENSSL_cleanse(ctx, sizeof *ctx);
    free(ctx);
}

static inline void xor_be32(uint8_t *p, uint32_t v) {
    p[0] ^= (uint8_t)(v >> 24);
    p[1] ^= (uint8_t)(v >> 16);
    p[2] ^= (uint8_t)(v >> 8);
    p[3] ^= (uint8_t)v;
}

static inline void xor_be48(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 6; i++) p[i] ^= (uint8_t)(v >> (40 - 8 * i));
}

/* RFC 3711 §4.1.1 / RFC 6188 Figure 1:
 *   octet:  0  1  2  3 | 4 .. 7 | 8 .. 13       | 14 15
 *          00 00 00 00 |  SSRC  | index (48)    | b_c = 0
 *    XOR  [        k_s (14 octets)              ]  00 00            */
void perc_srtp_ctr_iv(const uint8_t *salt14, uint32_t ssrc, uint64_t index, uint8_t *iv16) {
    memcpy(iv16, salt14, CTR_SALT_LEN);
    iv16[14] = 0;
    iv16[15] = 0;
    xor_be32(iv16 + 4, ssrc);
    xor_be48(iv16 + 8, index);
}

/* RFC 7714 §8.1 (index = ROC‖SEQ) and §9.1 (index = 0x0000‖0‖SRTCP index):
 *   octet: 0  1 | 2 .. 5 | 6 .. 11
 *         00 00 |  SSRC  | index (48)
 *    XOR [     12-octet salt        ]                                  */
void perc_srtp_gcm_iv(const uint8_t *salt12, uint32_t ssrc, uint64_t index, uint8_t *iv12) {
    memcpy(iv12, salt12, GCM_IV_LEN);
    xor_be32(iv12 + 2, ssrc);
    xor_be48(iv12 + 6, index);
}

int perc_ctr_xor(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, uint8_t *data, size_t len) {
    if (ctx->cipher != PERC_CIPHER_AES_CM || len > INT_MAX) return PERC_ERROR;
    if (len == 0) return PERC_OK;
    uint8_t iv[16];
    int out_len = 0;
    perc_srtp_ctr_iv(ctx->salt, ssrc, index, iv);
    if (EVP_CipherInit_ex(ctx->evp, NULL, NULL, NULL, iv, -1) != 1) return PERC_ERROR;
    if (EVP_CipherUpdate(ctx->evp, data, &out_len, data, (int)len) != 1) return PERC_ERROR;
    return PERC_OK;
}

static void hmac_sha1(const perc_srtp_ctx *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                      int with_roc, uint8_t digest[SHA_DIGEST_LENGTH]) {
    SHA_CTX sha = ctx->hmac_inner;
    SHA1_Update(&sha, msg, len);
    if (with_roc) {
        /* RFC 3711 §4.2: M = Authenticated Portion ‖ ROC (network order). */
        uint8_t roc_be[4] = {(uint8_t)(roc >> 24), (uint8_t)(roc >> 16), (uint8_t)(roc >> 8),
                             (uint8_t)roc};
        SHA1_Update(&sha, roc_be, sizeof roc_be);
    }
    SHA1_Final(digest, &sha);
    sha = ctx->hmac_outer;
    SHA1_Update(&sha, digest, SHA_DIGEST_LENGTH);
    SHA1_Final(digest, &sha);
    OPENSSL_cleanse(&sha, sizeof sha);
}

void perc_hmac_sha1_tag(const perc_srtp_ctx *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                        int with_roc, uint8_t *tag, size_t tag_len) {
    uint8_t digest[SHA_DIGEST_LENGTH];
    if (!ctx->has_hmac || tag_len > SHA_DIGEST_LENGTH) return;
    hmac_sha1(ctx, msg, len, roc, with_roc, digest);
    memcpy(tag, digest, tag_len); /* RFC 3711 §4.2.1: leftmost n_tag bits */
}

int perc_hmac_sha1_verify(const perc_srtp_ctx *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                          int with_roc, const uint8_t *tag, size_t tag_len) {
    uint8_t digest[SHA_DIGEST_LENGTH];
    if (!ctx->has_hmac || tag_len > SHA_DIGEST_LENGTH) return PERC_ERROR;
    hmac_sha1(ctx, msg, len, roc, with_roc, digest);
    return CRYPTO_memcmp(digest, tag, tag_len) == 0 ? PERC_OK : PERC_AUTH_FAILED;
}

static int gcm_absorb_aad(EVP_CIPHER_CTX *evp, const uint8_t *aad, size_t aad_len) {
    int out_len = 0;
    if (aad_len == 0) return 1;
    if (aad_len > INT_MAX) return 0;
    return EVP_CipherUpdate(evp, NULL, &out_len, aad, (int)aad_len) == 1;
}

int perc_gcm_seal(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, const uint8_t *aad,
                  size_t aad_len, const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                  uint8_t *tag) {
    if (ctx->cipher != PERC_CIPHER_AES_GCM || len > INT_MAX) return PERC_ERROR;
    uint8_t iv[GCM_IV_LEN];
    uint8_t final_block[16]; /* GCM outputs nothing at Final */
    int out_len = 0;
    perc_srtp_gcm_iv(ctx->salt, ssrc, index, iv);
    if (EVP_EncryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) != 1) return PERC_ERROR;
    if (!gcm_absorb_aad(ctx->evp, aad, aad_len) || !gcm_absorb_aad(ctx->evp, aad2, aad2_len))
        return PERC_ERROR;
    if (len > 0 && EVP_EncryptUpdate(ctx->evp, data, &out_len, data, (int)len) != 1)
        return PERC_ERROR;
    if (EVP_EncryptFinal_ex(ctx->evp, final_block, &out_len) != 1) return PERC_ERROR;
    if (EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag) != 1)
        return PERC_ERROR;
    return PERC_OK;
}

int perc_gcm_open(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, const uint8_t *aad,
                  size_t aad_len, const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                  const uint8_t *tag) {
    if (ctx->cipher != PERC_CIPHER_AES_GCM || len > INT_MAX) return PERC_ERROR;
    uint8_t iv[GCM_IV_LEN];
    uint8_t expected[GCM_TAG_LEN];
    uint8_t final_block[16]; /* GCM outputs nothing at Final */
    int out_len = 0;
    int decrypted = 0;
    int result = PERC_ERROR;
    perc_srtp_gcm_iv(ctx->salt, ssrc, index, iv);
    memcpy(expected, tag, GCM_TAG_LEN); /* EVP_CTRL_GCM_SET_TAG takes a non-const pointer */
    if (EVP_DecryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) != 1) goto out;
    if (!gcm_absorb_aad(ctx->evp, aad, aad_len) || !gcm_absorb_aad(ctx->evp, aad2, aad2_len))
        goto out;
    /* OpenSSL decrypts in place before it can check the tag. */
    if (len > 0) {
        if (EVP_DecryptUpdate(ctx->evp, data, &out_len, data, (int)len) != 1) goto restore;
        decrypted = 1;
    }
    if (EVP_CIPHER_CTX_ctrl(ctx->evp, EVP_CTRL_GCM_SET_TAG, GCM_TAG_LEN, expected) != 1)
        goto restore;
    result = EVP_DecryptFinal_ex(ctx->evp, final_block, &out_len) == 1 ? PERC_OK : PERC_AUTH_FAILED;

restore:
    if (result != PERC_OK && decrypted) {
        /* RFC 7714 §5.3: release nothing unverified. The GCM payload transform is a CTR XOR, so
         * running it again from the same IV turns the plaintext back into the ciphertext. */
        if (EVP_DecryptInit_ex(ctx->evp, NULL, NULL, NULL, iv) != 1 ||
            EVP_DecryptUpdate(ctx->evp, data, &out_len, data, (int)len) != 1) {
            OPENSSL_cleanse(data, len); /* cannot restore: at least release nothing */
            result = PERC_ERROR;
        }
    }
out:
    return result;
}

int perc_aes_ctr_keystream(const uint8_t *key, size_t key_len, const uint8_t *iv16, uint8_t *out,
                           size_t len) {
    const EVP_CIPHER *cipher = cipher_for(PERC_CIPHER_AES_CM, key_len);
    if (cipher == NULL || len > INT_MAX) return PERC_ERROR;
    EVP_CIPHER_CTX *evp = EVP_CIPHER_CTX_new();
    int out_len = 0;
    int ok = evp != NULL;
    memset(out, 0, len);
    ok = ok && EVP_EncryptInit_ex(evp, cipher, NULL, key, iv16) == 1;
    ok = ok && (len == 0 || EVP_EncryptUpdate(evp, out, &out_len, out, (int)len) == 1);
    EVP_CIPHER_CTX_free(evp);
    if (!ok) OPENSSL_cleanse(out, len);
    return ok ? PERC_OK : PERC_ERROR;
}
