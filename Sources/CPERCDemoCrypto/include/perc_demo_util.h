#ifndef PERC_DEMO_UTIL_H
#define PERC_DEMO_UTIL_H
#include <stddef.h>
#include <stdint.h>

/* Length of a SHA-256 digest. */
#define PERC_DEMO_SHA256_LEN 32

/* SHA-256 of msg into out (PERC_DEMO_SHA256_LEN octets). Returns 1 on success, 0 on failure. */
int perc_demo_sha256(const uint8_t *msg, size_t msg_len, uint8_t *out);

/* Fills out with len octets from the OpenSSL CSPRNG (RAND_bytes). Returns 1 on success; on failure
 * out is wiped and 0 is returned. */
int perc_demo_random(uint8_t *out, size_t len);

/* 1 if the len octets at a and b are equal, else 0, in time independent of the contents
 * (CRYPTO_memcmp). */
int perc_demo_equal(const uint8_t *a, const uint8_t *b, size_t len);

/* Zeroes len octets at p in a way the compiler cannot elide (OPENSSL_cleanse). */
void perc_demo_cleanse(void *p, size_t len);

/* Takes the oldest queued OpenSSL error of this thread as text into out (NUL-terminated, at most
 * cap octets, "no OpenSSL error" if none) and clears the thread's error queue. */
void perc_demo_take_error(char *out, size_t cap);

#endif
