#ifndef PERC_BENCH_MALLOC_COUNTER_H
#define PERC_BENCH_MALLOC_COUNTER_H
#include <stdint.h>

/* Allocation counting for `perc bench`, without LD_PRELOAD: this target defines malloc, calloc,
 * realloc, posix_memalign, aligned_alloc and memalign in the executable that links it, and the
 * dynamic linker binds every library's calls (the Swift runtime, libcrypto, libsrtp2, NSS) to them
 * ahead of glibc's. Each one counts into a per-thread counter and forwards to glibc's allocator
 * (__libc_malloc and friends). Link it into the perc executable only: a second definition of
 * malloc (package-benchmark's interposer) must not meet it. glibc only, and not in sanitizer
 * builds (ASan and TSan interpose malloc themselves); elsewhere nothing is interposed and
 * perc_bench_allocations_counted() returns 0. */

/* 1 when allocations are counted in this build. */
int perc_bench_allocations_counted(void);

/* Allocations (malloc, calloc, realloc, aligned variants) made by the calling thread so far. */
uint64_t perc_bench_thread_allocations(void);

#endif
