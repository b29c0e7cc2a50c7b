#ifndef PERC_FINGERPRINT_H
#define PERC_FINGERPRINT_H
#include <stddef.h>
#include <stdint.h>

/* Length of a key fingerprint: a full HMAC-SHA-256 output. */
#define PERC_FINGERPRINT_LEN 32

/* Keyed fingerprint of secret bytes: HMAC-SHA-256(key, msg) into out (PERC_FINGERPRINT_LEN
 * octets), so keys can be told apart and remembered without keeping their bytes. Returns 1 on
 * success; on failure out is wiped and 0 is returned. */
int perc_key_fingerprint(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t msg_len,
                         uint8_t *out);

#endif
