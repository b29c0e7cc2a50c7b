#ifndef PERC_KEYWRAP_H
#define PERC_KEYWRAP_H
#include <stddef.h>
#include <stdint.h>

/* AES key wrap on OpenSSL EVP: RFC 3394 (padding = 0) and RFC 5649 with padding (padding = 1).
 * The KEK is 16, 24 or 32 octets and selects AES-128/192/256. */

enum {
    PERC_KW_OK = 0,
    /* The unwrap integrity check failed (RFC 3394 §2.2.3, RFC 5649 §3): wrong KEK or altered data. */
    PERC_KW_INTEGRITY = -1,
    /* A length the algorithm cannot take (KEK size, input size, output capacity). */
    PERC_KW_BAD_LENGTH = -2,
    /* OpenSSL failed outside the integrity check (allocation, initialisation). */
    PERC_KW_LIBRARY = -3,
};

/* Wraps in[0..in_len) under kek into out, which must hold in_len rounded up to 8 plus 8 octets.
 * RFC 3394 needs in_len a multiple of 8 and >= 16; RFC 5649 takes any in_len >= 1.
 * Sets *out_len and returns PERC_KW_OK, or a negative PERC_KW_ code with out wiped. */
int perc_aes_key_wrap(const uint8_t *kek, size_t kek_len, int padding, const uint8_t *in,
                      size_t in_len, uint8_t *out, size_t out_capacity, size_t *out_len);

/* Unwraps in[0..in_len) under kek into out, which must hold in_len - 8 octets. in_len must be a
 * multiple of 8 and >= 24 (RFC 3394) or >= 16 (RFC 5649). Sets *out_len (for RFC 5649 the
 * message length from the AIV) and returns PERC_KW_OK; on any failure out is wiped. */
int perc_aes_key_unwrap(const uint8_t *kek, size_t kek_len, int padding, const uint8_t *in,
                        size_t in_len, uint8_t *out, size_t out_capacity, size_t *out_len);

#endif
