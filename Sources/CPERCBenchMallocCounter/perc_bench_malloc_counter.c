#include "CPERCBenchMallocCounter.h"

#ifndef __has_feature
#define __has_feature(x) 0
#endif

/* Sanitizers bring their own malloc; defining ours would hide allocations from them (and free
 * would then see pointers they never handed out). Count nothing in sanitizer builds. */
#if defined(__linux__) && defined(__GLIBC__) && !__has_feature(address_sanitizer) &&              \
    !__has_feature(thread_sanitizer) && !defined(__SANITIZE_ADDRESS__) &&                        \
    !defined(__SANITIZE_THREAD__)
#include <errno.h>
#include <stddef.h>

/* glibc's allocator under its exported internal names. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);

/* Initial-exec TLS in the executable: no allocation on first use, safe inside malloc. */
static _Thread_local uint64_t thread_allocations;

void *malloc(size_t size) {
    thread_allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    thread_allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    thread_allocations++;
    return __libc_realloc(pointer, size);
}

void *memalign(size_t alignment, size_t size) {
    thread_allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    thread_allocations++;
    return __libc_memalign(alignment, size);
}

int posix_memalign(void **out, size_t alignment, size_t size) {
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    thread_allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *out = pointer;
    return 0;
}

int perc_bench_allocations_counted(void) { return 1; }

uint64_t perc_bench_thread_allocations(void) { return thread_allocations; }

#else

int perc_bench_allocations_counted(void) { return 0; }

uint64_t perc_bench_thread_allocations(void) { return 0; }

#endif
