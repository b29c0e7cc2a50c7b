#include "perc_fingerprint.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int perc_key_fingerprint(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                         uint8_t *out) {
    unsigned int out_len = 0;
    if (key == NULL || key_len == 0 || key_len > INT32_MAX || out == NULL) return 0;
    if (HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &out_len) == NULL ||
        out_len != PERC_FINGERPRINT_LEN) {
        OPENSSL_cleanse(out, PERC_FINGERPRINT_LEN);
        return 0;
    }
    return 1;
}
