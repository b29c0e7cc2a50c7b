#include "perc_demo_x509.h"
#include "perc_demo_internal.h"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* A random positive serial number of 127 bits, top bit set so it is never zero and always 16
 * octets of DER content (RFC 5280 §4.1.2.2: positive, at most 20 octets, unique per issuer). */
static int set_random_serial(X509 *cert) {
    BIGNUM *serial = BN_new();
    int ok = serial != NULL && BN_rand(serial, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1 &&
             BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) != NULL;
    BN_free(serial);
    return ok;
}

/* Subject and issuer: CN=common_name (self-signed, RFC 5280 §4.1.2.4/§4.1.2.6). */
static int set_names(X509 *cert, const char *common_name) {
    X509_NAME *name = X509_get_subject_name(cert);
    return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                      (const unsigned char *)common_name, -1, -1, 0) == 1 &&
           X509_set_issuer_name(cert, name) == 1;
}

/* subjectAltName with one iPAddress entry (RFC 5280 §4.2.1.6), built from the parsed address (not
 * from config text, so the address cannot smuggle in other names). */
static int add_ip_san(X509 *cert, const char *ip_address) {
    GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
    GENERAL_NAME *name = GENERAL_NAME_new();
    ASN1_OCTET_STRING *ip = a2i_IPADDRESS(ip_address);
    int ok = 0;
    if (names != NULL && name != NULL && ip != NULL) {
        GENERAL_NAME_set0_value(name, GEN_IPADD, ip);
        ip = NULL; /* owned by name */
        if (sk_GENERAL_NAME_push(names, name) > 0) {
            name = NULL; /* owned by names */
            ok = X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT) == 1;
        }
    }
    ASN1_OCTET_STRING_free(ip);
    GENERAL_NAME_free(name);
    GENERAL_NAMES_free(names);
    return ok;
}

/* One extension from fixed configuration text (RFC 5280 §4.2.1.9, §4.2.1.3, §4.2.1.12,
 * §4.2.1.2). */
static int add_extension(X509 *cert, X509V3_CTX *ctx, int nid, const char *value) {
    X509_EXTENSION *extension = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok = extension != NULL && X509_add_ext(cert, extension, -1) == 1;
    X509_EXTENSION_free(extension);
    return ok;
}

static int add_extensions(X509 *cert, const char *ip_address) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, NULL, NULL, 0);
    return add_extension(cert, &ctx, NID_basic_constraints, "critical,CA:FALSE") &&
           add_extension(cert, &ctx, NID_key_usage, "critical,digitalSignature") &&
           add_extension(cert, &ctx, NID_ext_key_usage, "serverAuth") &&
           add_extension(cert, &ctx, NID_subject_key_identifier, "hash") &&
           add_ip_san(cert, ip_address);
}

struct x509_st *perc_demo_x509_self_signed(const struct evp_pkey_st *key, const char *common_name,
                                           const char *ip_address, long valid_seconds) {
    X509 *cert = NULL;
    if (key == NULL || common_name == NULL || ip_address == NULL || valid_seconds <= 0) return NULL;
    cert = X509_new();
    if (cert == NULL || X509_set_version(cert, X509_VERSION_3) != 1 || !set_random_serial(cert) ||
        !set_names(cert, common_name) ||
        X509_gmtime_adj(X509_getm_notBefore(cert), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(cert), valid_seconds) == NULL ||
        X509_set_pubkey(cert, (EVP_PKEY *)key) != 1 || !add_extensions(cert, ip_address) ||
        X509_sign(cert, (EVP_PKEY *)key, EVP_sha256()) <= 0) {
        X509_free(cert);
        return NULL;
    }
    return cert;
}

void perc_demo_x509_free(struct x509_st *cert) { X509_free(cert); }

int perc_demo_x509_der(const struct x509_st *cert, uint8_t *out, size_t cap, size_t *out_len) {
    unsigned char *cursor = out;
    int len = cert == NULL ? 0 : i2d_X509(cert, NULL);
    if (len <= 0 || out == NULL || out_len == NULL || (size_t)len > cap) return 0;
    if (i2d_X509(cert, &cursor) != len) return 0;
    *out_len = (size_t)len;
    return 1;
}

int perc_demo_x509_pem(const struct x509_st *cert, uint8_t *out, size_t cap, size_t *out_len) {
    BIO *bio = NULL;
    int ok = 0;
    if (cert == NULL) return 0;
    bio = BIO_new(BIO_s_mem());
    ok = bio != NULL && PEM_write_bio_X509(bio, (X509 *)cert) == 1 &&
         perc_demo_bio_copy_out(bio, out, cap, out_len);
    BIO_free(bio);
    return ok;
}
