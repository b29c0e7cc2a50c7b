#ifndef CPERC_DEMO_CRYPTO_H
#define CPERC_DEMO_CRYPTO_H
/* Umbrella header of the `perc demo` crypto shim (libcrypto 3.0): one header per area, one small C
 * function per OpenSSL call sequence. No OpenSSL header leaks through: keys and certificates are
 * opaque pointers to Swift. */
#include "perc_demo_util.h"
#include "perc_demo_es256.h"
#include "perc_demo_x509.h"
#include "perc_demo_pbkdf2.h"
#endif
