#include "perc_keywrap.h"

#include <limits.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

/* The EVP wrap cipher for a KEK size; NULL for a size AES does not have. */
static const EVP_CIPHER *wrap_cipher(size_t kek_len, int padding) {
    switch (kek_len) {
    case 16: return padding ? EVP_aes_128_wrap_pad() : EVP_aes_128_wrap();
    case 24: return padding ? EVP_aes_192_wrap_pad() : EVP_aes_192_wrap();
    case 32: return padding ? EVP_aes_256_wrap_pad() : EVP_aes_256_wrap();
    default: return NULL;
    }
}

/* One wrap or unwrap pass. EVP wrap ciphers take the whole input in a single update call; the
 * final call adds nothing but is made so OpenSSL can report a late failure.
 *
 * OpenSSL writes through a scratch buffer, not straight into out: EVP assumes an output buffer of
 * in_len + one block, and OpenSSL 3.0's RFC 5649 unwrap cleanses in_len octets of its output on
 * an integrity failure, 8 more than the result can hold (crypto/modes/wrap128.c,
 * CRYPTO_128_unwrap_pad). The scratch is cleansed and freed on every path. */
static int key_wrap_pass(int encrypt, const uint8_t *kek, size_t kek_len, int padding,
                         const uint8_t *in, size_t in_len, uint8_t *out, size_t out_capacity,
                         size_t *out_len) {
    const EVP_CIPHER *cipher = wrap_cipher(kek_len, padding);
    if (cipher == NULL || in_len > INT_MAX - 16) return PERC_KW_BAD_LENGTH;
    size_t scratch_len = (in_len + 7) / 8 * 8 + 16;
    uint8_t *scratch = OPENSSL_zalloc(scratch_len);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int status = PERC_KW_LIBRARY;
    int update_len = 0, final_len = 0;
    if (scratch == NULL || ctx == NULL) goto done;
    /* Required for the wrap modes by the EVP layer (OpenSSL 1.1; harmless on 3.0). */
    EVP_CIPHER_CTX_set_flags(ctx, EVP_CIPHER_CTX_FLAG_WRAP_ALLOW);
    if (EVP_CipherInit_ex(ctx, cipher, NULL, kek, NULL, encrypt) != 1) goto done;
    /* An unwrap whose integrity check fails makes the update (or final) call fail; the lengths
     * were validated by the caller, so that is the only failure left. */
    status = encrypt ? PERC_KW_LIBRARY : PERC_KW_INTEGRITY;
    if (EVP_CipherUpdate(ctx, scratch, &update_len, in, (int)in_len) != 1 || update_len < 0)
        goto done;
    if (EVP_CipherFinal_ex(ctx, scratch + update_len, &final_len) != 1 || final_len < 0)
        goto done;
    size_t total = (size_t)update_len + (size_t)final_len;
    if (total > out_capacity) {
        status = PERC_KW_LIBRARY;
        goto done;
    }
    memcpy(out, scratch, total);
    *out_len = total;
    status = PERC_KW_OK;
done:
    EVP_CIPHER_CTX_free(ctx); /* frees and cleanses the key schedule */
    OPENSSL_clear_free(scratch, scratch_len);
    if (status != PERC_KW_OK) OPENSSL_cleanse(out, out_capacity);
    return status;
}

int perc_aes_key_wrap(const uint8_t *kek, size_t kek_len, int padding, const uint8_t *in,
                      size_t in_len, uint8_t *out, size_t out_capacity, size_t *out_len) {
    /* RFC 3394 §2.2.1: n >= 2 64-bit blocks. RFC 5649 §4.1: any length >= 1 octet. */
    if (padding ? in_len < 1 : (in_len < 16 || in_len % 8 != 0)) return PERC_KW_BAD_LENGTH;
    /* Output: the input padded to whole 64-bit blocks plus the 64-bit integrity block. */
    if (in_len > SIZE_MAX - 16 || out_capacity < (in_len + 7) / 8 * 8 + 8) return PERC_KW_BAD_LENGTH;
    return key_wrap_pass(1, kek, kek_len, padding, in, in_len, out, out_capacity, out_len);
}

int perc_aes_key_unwrap(const uint8_t *kek, size_t kek_len, int padding, const uint8_t *in,
                        size_t in_len, uint8_t *out, size_t out_capacity, size_t *out_len) {
    /* RFC 3394 §2.2.2: n + 1 >= 3 blocks; RFC 5649 §4.2: n + 1 >= 2 blocks. */
    if (in_len % 8 != 0 || in_len < (padding ? 16u : 24u)) return PERC_KW_BAD_LENGTH;
    /* The padded plaintext is in_len - 8 octets; RFC 5649 then trims it to the AIV's length. */
    if (out_capacity < in_len - 8) return PERC_KW_BAD_LENGTH;
    return key_wrap_pass(0, kek, kek_len, padding, in, in_len, out, out_capacity, out_len);
}
