#ifndef PERC_DEMO_X509_H
#define PERC_DEMO_X509_H
#include <stddef.h>
#include <stdint.h>

struct evp_pkey_st;
/* An OpenSSL X509, opaque to Swift. */
struct x509_st;

/* A self-signed X.509 v3 certificate for key (RFC 5280): subject = issuer = CN common_name, a
 * random positive 127-bit serial, valid from now for valid_seconds, SAN iPAddress ip_address
 * (IPv4 or IPv6 text), basicConstraints CA:FALSE (critical), keyUsage digitalSignature (critical),
 * extendedKeyUsage serverAuth, subjectKeyIdentifier; signed ECDSA-SHA256 by key. NULL on failure
 * (bad IP address text included). Free with perc_demo_x509_free. */
struct x509_st *perc_demo_x509_self_signed(const struct evp_pkey_st *key, const char *common_name,
                                           const char *ip_address, long valid_seconds);

/* Frees a certificate. NULL is fine. */
void perc_demo_x509_free(struct x509_st *cert);

/* The certificate's DER into out (cap octets); *out_len is set to its length. Returns 1 on
 * success, 0 on failure (too small out included). */
int perc_demo_x509_der(const struct x509_st *cert, uint8_t *out, size_t cap, size_t *out_len);

/* The certificate's PEM ("BEGIN CERTIFICATE") into out (cap octets); *out_len is set to its
 * length. Returns 1 on success, 0 on failure (too small out included). */
int perc_demo_x509_pem(const struct x509_st *cert, uint8_t *out, size_t cap, size_t *out_len);

#endif
