#define _GNU_SOURCE
#include "perc_memory.h"

#include <time.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

void perc_wipe(void *p, size_t n) {
    if (p != NULL && n > 0) OPENSSL_cleanse(p, n);
}

int perc_random_bytes(uint8_t *out, size_t n) {
    if (n > (size_t)INT32_MAX) return 0;
    return RAND_priv_bytes(out, (int)n) == 1;
}

uint64_t perc_coarse_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
