#ifndef PERC_DEMO_PBKDF2_H
#define PERC_DEMO_PBKDF2_H
#include <stddef.h>
#include <stdint.h>

/* PBKDF2 with HMAC-SHA-256 (RFC 8018 §5.2): out_len octets derived from password and salt with
 * iterations rounds into out. Returns 1 on success; on failure out is wiped and 0 is returned. */
int perc_demo_pbkdf2_sha256(const uint8_t *password, size_t password_len, const uint8_t *salt,
                            size_t salt_len, uint32_t iterations, uint8_t *out, size_t out_len);

#endif
