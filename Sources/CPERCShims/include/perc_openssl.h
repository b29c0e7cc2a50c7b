#ifndef PERC_OPENSSL_H
#define PERC_OPENSSL_H
#include <stddef.h>
#include <stdint.h>

/* OpenSSL engine primitives: one small function per packet operation.
 *
 * A perc_srtp_ctx holds the session keys of ONE direction of ONE of SRTP or SRTCP: the cipher
 * context keyed once (key schedule computed at creation; per packet only the IV is set), the
 * HMAC-SHA1 inner/outer states precomputed from k_a (RFC 2104), and the session salt. The raw
 * encryption and authentication keys are not kept. perc_srtp_ctx_free wipes everything. */

/* Results of the packet primitives. */
#define PERC_OK 1
#define PERC_AUTH_FAILED 0
#define PERC_ERROR (-1)

/* Payload ciphers (SRTPProfile.Cipher). */
#define PERC_CIPHER_NULL 0
#define PERC_CIPHER_AES_CM 1
#define PERC_CIPHER_AES_GCM 2

typedef struct perc_srtp_ctx perc_srtp_ctx;

/* Creates a context. `cipher` is a PERC_CIPHER_*; `encrypt` selects the GCM direction (seal = 1,
 * open = 0); AES-CM is the same both ways. `key` is 16, 24 or 32 octets (ignored for NULL);
 * `salt` is 14 octets (AES-CM, NULL) or 12 (GCM); `auth_key` is the HMAC-SHA1 key (none for GCM).
 * Returns NULL on failure. The caller wipes its copies of the inputs. */
perc_srtp_ctx *perc_srtp_ctx_new(int cipher, int encrypt, const uint8_t *key, size_t key_len,
                                 const uint8_t *salt, size_t salt_len, const uint8_t *auth_key,
                                 size_t auth_key_len);

/* Frees the cipher context (OpenSSL wipes the key schedule) and wipes the rest. NULL is a no-op. */
void perc_srtp_ctx_free(perc_srtp_ctx *ctx);

/* AES-CM (RFC 3711 §4.1.1): XORs the keystream for (ssrc, index) into data[0..<len], in place.
 * `index` is the 48-bit SRTP index or the 31-bit SRTCP index. */
int perc_ctr_xor(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, uint8_t *data, size_t len);

/* HMAC-SHA1 (RFC 3711 §4.2.1) over msg[0..<len], followed by the ROC as 4 octets in network order
 * when with_roc != 0 (SRTP); writes the leftmost tag_len (<= 20) octets to tag. */
void perc_hmac_sha1_tag(const perc_srtp_ctx *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                        int with_roc, uint8_t *tag, size_t tag_len);

/* Recomputes the tag as perc_hmac_sha1_tag does and compares it with `tag` in constant time
 * (CRYPTO_memcmp). Returns PERC_OK or PERC_AUTH_FAILED. */
int perc_hmac_sha1_verify(const perc_srtp_ctx *ctx, const uint8_t *msg, size_t len, uint32_t roc,
                          int with_roc, const uint8_t *tag, size_t tag_len);

/* AES-GCM seal (RFC 7714): IV from (ssrc, index) (§8.1, §9.1), AAD = aad ‖ aad2, encrypts
 * data[0..<len] in place and writes the 16-octet tag. Either AAD part and data may be empty. */
int perc_gcm_seal(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, const uint8_t *aad,
                  size_t aad_len, const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                  uint8_t *tag);

/* AES-GCM open. Returns PERC_OK with data decrypted in place, or PERC_AUTH_FAILED / PERC_ERROR
 * with data restored to the ciphertext it held on entry (RFC 7714 §5.3: no unauthenticated
 * plaintext is released). */
int perc_gcm_open(perc_srtp_ctx *ctx, uint32_t ssrc, uint64_t index, const uint8_t *aad,
                  size_t aad_len, const uint8_t *aad2, size_t aad2_len, uint8_t *data, size_t len,
                  const uint8_t *tag);

/* The 16-octet AES-CM IV (RFC 3711 §4.1.1) from a 14-octet salt. */
void perc_srtp_ctr_iv(const uint8_t *salt14, uint32_t ssrc, uint64_t index, uint8_t *iv16);

/* The 12-octet AEAD IV (RFC 7714 §8.1 with index = ROC‖SEQ; §9.1 with index = SRTCP index). */
void perc_srtp_gcm_iv(const uint8_t *salt12, uint32_t ssrc, uint64_t index, uint8_t *iv12);

/* len octets of AES counter-mode keystream from a 16-octet initial counter block (key derivation,
 * RFC 3711 §4.3.3; known-answer tests). Not for the packet path: creates a context per call. */
int perc_aes_ctr_keystream(const uint8_t *key, size_t key_len, const uint8_t *iv16, uint8_t *out,
                           size_t len);

#endif
