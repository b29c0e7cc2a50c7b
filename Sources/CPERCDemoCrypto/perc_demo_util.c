#include "perc_demo_util.h"
#include "perc_demo_internal.h"

#include <limits.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

int perc_demo_sha256(const uint8_t *msg, size_t msg_len, uint8_t *out) {
    unsigned int out_len = 0;
    if ((msg == NULL && msg_len != 0) || out == NULL) return 0;
    return EVP_Digest(msg, msg_len, out, &out_len, EVP_sha256(), NULL) == 1 &&
           out_len == PERC_DEMO_SHA256_LEN;
}

int perc_demo_random(uint8_t *out, size_t len) {
    if (out == NULL || len > INT_MAX) return 0;
    if (RAND_bytes(out, (int)len) != 1) {
        OPENSSL_cleanse(out, len);
        return 0;
    }
    return 1;
}

int perc_demo_equal(const uint8_t *a, const uint8_t *b, size_t len) {
    if (len == 0) return 1;
    if (a == NULL || b == NULL) return 0;
    return CRYPTO_memcmp(a, b, len) == 0;
}

void perc_demo_cleanse(void *p, size_t len) {
    if (p != NULL && len != 0) OPENSSL_cleanse(p, len);
}

void perc_demo_take_error(char *out, size_t cap) {
    unsigned long code = ERR_get_error();
    if (out != NULL && cap != 0) {
        if (code == 0) {
            strncpy(out, "no OpenSSL error", cap - 1);
            out[cap - 1] = '\0';
        } else {
            ERR_error_string_n(code, out, cap);
        }
    }
    ERR_clear_error();
}

int perc_demo_bio_copy_out(BIO *bio, uint8_t *out, size_t cap, size_t *out_len) {
    char *data = NULL;
    long len = BIO_get_mem_data(bio, &data);
    if (len <= 0 || data == NULL || out == NULL || out_len == NULL || (size_t)len > cap) return 0;
    memcpy(out, data, (size_t)len);
    *out_len = (size_t)len;
    return 1;
}
