#ifndef PERC_COPENSSL_SHIM_H
#define PERC_COPENSSL_SHIM_H
/* Low-level SHA-1 is deprecated in OpenSSL 3.0 but is the fastest way to reuse a precomputed HMAC
 * inner/outer state per packet; keep it visible. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/err.h>
#endif
