#include "perc_demo_pbkdf2.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

int perc_demo_pbkdf2_sha256(const uint8_t *password, size_t password_len, const uint8_t *salt,
                            size_t salt_len, uint32_t iterations, uint8_t *out, size_t out_len) {
    if (out == NULL || out_len == 0 || out_len > INT_MAX) return 0;
    if ((password == NULL && password_len != 0) || password_len > INT_MAX || salt == NULL ||
        salt_len == 0 || salt_len > INT_MAX || iterations == 0 || iterations > INT_MAX ||
        PKCS5_PBKDF2_HMAC((const char *)password, (int)password_len, salt, (int)salt_len,
                          (int)iterations, EVP_sha256(), (int)out_len, out) != 1) {
        OPENSSL_cleanse(out, out_len);
        return 0;
    }
    return 1;
}
