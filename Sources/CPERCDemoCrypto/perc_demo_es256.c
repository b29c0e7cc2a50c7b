#include "perc_demo_es256.h"
#include "perc_demo_internal.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <string.h>

/* Uncompressed SEC 1 point: 0x04 || x || y. */
#define POINT_LEN (1 + 2 * PERC_DEMO_P256_COORD_LEN)

struct evp_pkey_st *perc_demo_es256_generate(void) {
    return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

void perc_demo_es256_free(struct evp_pkey_st *key) { EVP_PKEY_free(key); }

static int coordinate(const EVP_PKEY *key, const char *name, uint8_t *out) {
    BIGNUM *value = NULL;
    int ok = EVP_PKEY_get_bn_param(key, name, &value) == 1 &&
             BN_bn2binpad(value, out, PERC_DEMO_P256_COORD_LEN) == PERC_DEMO_P256_COORD_LEN;
    BN_free(value);
    return ok;
}

int perc_demo_es256_public(const struct evp_pkey_st *key, uint8_t *x, uint8_t *y) {
    if (key == NULL || x == NULL || y == NULL) return 0;
    return coordinate(key, OSSL_PKEY_PARAM_EC_PUB_X, x) &&
           coordinate(key, OSSL_PKEY_PARAM_EC_PUB_Y, y);
}

/* An EVP_PKEY holding only the public point (x, y); NULL if it is not on P-256 (the provider's
 * import decodes the point and checks it). */
static EVP_PKEY *public_key(const uint8_t *x, const uint8_t *y) {
    uint8_t point[POINT_LEN];
    OSSL_PARAM params[3];
    EVP_PKEY_CTX *ctx = NULL;
    EVP_PKEY *key = NULL;
    if (x == NULL || y == NULL) return NULL;
    point[0] = 0x04;
    memcpy(point + 1, x, PERC_DEMO_P256_COORD_LEN);
    memcpy(point + 1 + PERC_DEMO_P256_COORD_LEN, y, PERC_DEMO_P256_COORD_LEN);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, "P-256", 0);
    params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point);
    params[2] = OSSL_PARAM_construct_end();
    ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (ctx == NULL || EVP_PKEY_fromdata_init(ctx) != 1 ||
        EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
        EVP_PKEY_free(key);
        key = NULL;
    }
    EVP_PKEY_CTX_free(ctx);
    return key;
}

int perc_demo_es256_check_public(const uint8_t *x, const uint8_t *y) {
    EVP_PKEY *key = public_key(x, y);
    EVP_PKEY_CTX *ctx = key == NULL ? NULL : EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);
    /* Full public key check (SP 800-56A §5.6.2.3.3): on the curve, not infinity, right order. */
    int ok = ctx != NULL && EVP_PKEY_public_check(ctx) == 1;
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(key);
    return ok;
}

int perc_demo_es256_sign(const struct evp_pkey_st *key, const uint8_t *msg, size_t msg_len,
                         uint8_t *sig) {
    unsigned char der[80]; /* an ECDSA P-256 DER signature is at most 72 octets */
    size_t der_len = sizeof der;
    const unsigned char *cursor = der;
    const BIGNUM *r = NULL, *s = NULL;
    ECDSA_SIG *parsed = NULL;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int ok = 0;
    if (key == NULL || (msg == NULL && msg_len != 0) || sig == NULL) goto done;
    if (ctx == NULL ||
        EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, (EVP_PKEY *)key, NULL) != 1 ||
        EVP_DigestSign(ctx, der, &der_len, msg, msg_len) != 1)
        goto done;
    /* RFC 7518 §3.4: JWS carries R and S as two 32-octet big-endian integers, not DER. */
    parsed = d2i_ECDSA_SIG(NULL, &cursor, (long)der_len);
    if (parsed == NULL) goto done;
    ECDSA_SIG_get0(parsed, &r, &s);
    ok = BN_bn2binpad(r, sig, PERC_DEMO_P256_COORD_LEN) == PERC_DEMO_P256_COORD_LEN &&
         BN_bn2binpad(s, sig + PERC_DEMO_P256_COORD_LEN, PERC_DEMO_P256_COORD_LEN) ==
             PERC_DEMO_P256_COORD_LEN;
done:
    ECDSA_SIG_free(parsed);
    EVP_MD_CTX_free(ctx);
    if (!ok && sig != NULL) memset(sig, 0, PERC_DEMO_ES256_SIG_LEN);
    return ok;
}

/* RFC 7518 §3.4: raw R || S back to the DER ECDSA-Sig-Value OpenSSL verifies. Returns the DER
 * length (into *der, OPENSSL_malloc'd) or 0. */
static int raw_to_der(const uint8_t *sig, unsigned char **der) {
    ECDSA_SIG *value = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(sig, PERC_DEMO_P256_COORD_LEN, NULL);
    BIGNUM *s = BN_bin2bn(sig + PERC_DEMO_P256_COORD_LEN, PERC_DEMO_P256_COORD_LEN, NULL);
    int len = 0;
    if (value != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(value, r, s) == 1) {
        r = s = NULL; /* owned by value now */
        len = i2d_ECDSA_SIG(value, der);
    }
    BN_free(r);
    BN_free(s);
    ECDSA_SIG_free(value);
    return len > 0 ? len : 0;
}

int perc_demo_es256_verify(const uint8_t *x, const uint8_t *y, const uint8_t *msg, size_t msg_len,
                           const uint8_t *sig) {
    unsigned char *der = NULL;
    int der_len = 0;
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *ctx = NULL;
    int ok = 0;
    if (sig == NULL || (msg == NULL && msg_len != 0)) return 0;
    key = public_key(x, y);
    der_len = raw_to_der(sig, &der);
    ctx = EVP_MD_CTX_new();
    /* OpenSSL rejects r or s outside [1, n-1] (SEC 1 §4.1.4 step 1). */
    ok = key != NULL && der_len > 0 && ctx != NULL &&
         EVP_DigestVerifyInit_ex(ctx, NULL, "SHA256", NULL, NULL, key, NULL) == 1 &&
         EVP_DigestVerify(ctx, der, (size_t)der_len, msg, msg_len) == 1;
    EVP_MD_CTX_free(ctx);
    OPENSSL_free(der);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return ok;
}

int perc_demo_es256_private_pem(const struct evp_pkey_st *key, uint8_t *out, size_t cap,
                                size_t *out_len) {
    BIO *bio = NULL;
    int ok = 0;
    if (key == NULL) return 0;
    /* A secure-memory BIO wipes its buffer both when it grows (old copy) and when it is freed, so
     * no copy of the PEM is left behind in it (ordinary heap if no secure heap is set up). */
    bio = BIO_new(BIO_s_secmem());
    ok = bio != NULL &&
         PEM_write_bio_PKCS8PrivateKey(bio, (EVP_PKEY *)key, NULL, NULL, 0, NULL, NULL) == 1 &&
         perc_demo_bio_copy_out(bio, out, cap, out_len);
    BIO_free(bio);
    return ok;
}
