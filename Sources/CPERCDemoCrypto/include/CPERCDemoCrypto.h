#ifndef CPERC_DEMO_CRYPTO_H
#define CPERC_DEMO_CRYPTO_H
/* Placeholder: ES256, X.509 and PBKDF2 helpers for `perc demo` land here. */
int perc_demo_crypto_placeholder(void);
#endif
