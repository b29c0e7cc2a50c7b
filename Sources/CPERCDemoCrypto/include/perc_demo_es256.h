#ifndef PERC_DEMO_ES256_H
#define PERC_DEMO_ES256_H
#include <stddef.h>
#include <stdint.h>

/* ES256 (RFC 7518 §3.4): ECDSA on P-256 with SHA-256. */

/* Length of one P-256 coordinate or one of r, s. */
#define PERC_DEMO_P256_COORD_LEN 32
/* Length of a raw ES256 signature: r || s, each left-padded to 32 octets (RFC 7518 §3.4). */
#define PERC_DEMO_ES256_SIG_LEN 64

/* An OpenSSL EVP_PKEY, opaque to Swift. */
struct evp_pkey_st;

/* A new random P-256 key pair, or NULL on failure. Free with perc_demo_es256_free. */
struct evp_pkey_st *perc_demo_es256_generate(void);

/* Frees a key from perc_demo_es256_generate (OpenSSL cleanses the private scalar). NULL is fine. */
void perc_demo_es256_free(struct evp_pkey_st *key);

/* The public point's affine coordinates, big-endian, PERC_DEMO_P256_COORD_LEN octets each.
 * Returns 1 on success, 0 on failure. */
int perc_demo_es256_public(const struct evp_pkey_st *key, uint8_t *x, uint8_t *y);

/* 1 if (x, y) (PERC_DEMO_P256_COORD_LEN octets each) is a point on P-256, else 0. */
int perc_demo_es256_check_public(const uint8_t *x, const uint8_t *y);

/* Signs msg with key: SHA-256, ECDSA, then the DER signature converted to raw r || s
 * (PERC_DEMO_ES256_SIG_LEN octets into sig). Returns 1 on success, 0 on failure. */
int perc_demo_es256_sign(const struct evp_pkey_st *key, const uint8_t *msg, size_t msg_len,
                         uint8_t *sig);

/* Verifies a raw r || s signature (PERC_DEMO_ES256_SIG_LEN octets) over msg against the public
 * point (x, y). Returns 1 if valid, 0 if not (or on any failure). */
int perc_demo_es256_verify(const uint8_t *x, const uint8_t *y, const uint8_t *msg, size_t msg_len,
                           const uint8_t *sig);

/* The private key as PKCS#8 PEM ("BEGIN PRIVATE KEY") into out (cap octets); *out_len is set to
 * the PEM length. Returns 1 on success, 0 on failure (too small out included). The caller
 * cleanses out after use. */
int perc_demo_es256_private_pem(const struct evp_pkey_st *key, uint8_t *out, size_t cap,
                                size_t *out_len);

#endif
