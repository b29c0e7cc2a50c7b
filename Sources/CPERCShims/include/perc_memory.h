#ifndef PERC_MEMORY_H
#define PERC_MEMORY_H
#include <stddef.h>
#include <stdint.h>

/* Zeroes n bytes in a way the compiler cannot elide (OPENSSL_cleanse). */
void perc_wipe(void *p, size_t n);

/* Fills out with n bytes from OpenSSL's DRBG; returns 1 on success. */
int perc_random_bytes(uint8_t *out, size_t n);

/* CLOCK_MONOTONIC_COARSE in nanoseconds: a few ns per call, enough resolution for key expiry. */
uint64_t perc_coarse_monotonic_ns(void);

#endif
