#define _GNU_SOURCE
#include "perc_memory.h"

#include <errno.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

void perc_wipe(void *p, size_t n) {
    if (p != NULL && n > 0) OPENSSL_cleanse(p, n);
}

uint64_t perc_coarse_monotonic_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Guarded regions ------------------------------------------------------------------------ */

int perc_running_under_sanitizer(void) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    return 1;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
    return 1;
#else
    return 0;
#endif
#else
    return 0;
#endif
}

static size_t page_size(void) {
    return (size_t)sysconf(_SC_PAGESIZE);
}

/* The data pages: everything between the two guard pages. */
static uint8_t *data_pages(const perc_guarded_region *r, size_t *length) {
    size_t page = page_size();
    *length = r->mapped - 2 * page;
    return (uint8_t *)r->base + page;
}

enum { DRBG_BLOCK = 16 };

/* Fills the count octets ending at end from the DRBG in whole AES blocks (see perc_memory.h):
 * the first (-count mod 16) octets land in the slack in front and are zeroed again. */
static int fill_random(uint8_t *end, size_t count) {
    size_t padded = (count + DRBG_BLOCK - 1) / DRBG_BLOCK * DRBG_BLOCK;
    uint8_t *start = end - padded;
    if (padded > INT32_MAX || RAND_priv_bytes(start, (int)padded) != 1) return 0;
    OPENSSL_cleanse(start, padded - count);
    return 1;
}

int perc_guarded_map(size_t count, int random, perc_guarded_region *region, unsigned *protection) {
    size_t page = page_size();
    if (count == 0 || count > SIZE_MAX - 4 * page) return EINVAL;
    /* Room for the secret and at least DRBG_BLOCK - 1 octets of slack in front of it. */
    size_t data_length = (count + DRBG_BLOCK - 1 + page - 1) / page * page;
    size_t mapped = data_length + 2 * page;

    /* Everything starts PROT_NONE: the guard pages stay so for the region's life. */
    uint8_t *base = mmap(NULL, mapped, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return errno;
    uint8_t *data = base + page;

    unsigned obtained = 0;
    /* mlock needs the pages accessible to fault them in; lock them, then seal. */
    if (mprotect(data, data_length, PROT_READ | PROT_WRITE) != 0) {
        int error = errno;
        munmap(base, mapped);
        return error;
    }
    if (mlock(data, data_length) == 0 && !perc_running_under_sanitizer()) {
        obtained |= PERC_GUARDED_LOCKED;
    }
    if (madvise(data, data_length, MADV_DONTDUMP) == 0) obtained |= PERC_GUARDED_EXCLUDED_FROM_DUMP;
    if (madvise(data, data_length, MADV_WIPEONFORK) == 0) obtained |= PERC_GUARDED_WIPED_ON_FORK;
    if (random && !fill_random(data + data_length, count)) {
        OPENSSL_cleanse(data, data_length);
        munlock(data, data_length);
        munmap(base, mapped);
        return PERC_GUARDED_RANDOM_FAILED;
    }
    if (mprotect(data, data_length, PROT_NONE) != 0) {
        int error = errno;
        OPENSSL_cleanse(data, data_length);
        munlock(data, data_length);
        munmap(base, mapped);
        return error;
    }

    region->base = base;
    region->mapped = mapped;
    region->data = data + data_length - count; /* flush against the trailing guard page */
    region->count = count;
    *protection = obtained;
    return 0;
}

int perc_guarded_protect(const perc_guarded_region *region, int access) {
    int prot = access == PERC_GUARDED_READ_WRITE ? PROT_READ | PROT_WRITE
             : access == PERC_GUARDED_READ       ? PROT_READ
                                                 : PROT_NONE;
    size_t length;
    uint8_t *data = data_pages(region, &length);
    return mprotect(data, length, prot) == 0 ? 0 : errno;
}

int perc_guarded_wipe(const perc_guarded_region *region) {
    size_t length;
    uint8_t *data = data_pages(region, &length);
    if (mprotect(data, length, PROT_READ | PROT_WRITE) != 0) return errno;
    OPENSSL_cleanse(data, length);
    return 0;
}

int perc_guarded_unmap(const perc_guarded_region *region) {
    size_t length;
    uint8_t *data = data_pages(region, &length);
    munlock(data, length);
    return munmap(region->base, region->mapped) == 0 ? 0 : errno;
}

/* ---- Process hygiene ------------------------------------------------------------------------ */

int perc_disable_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : errno;
}

int perc_disable_core_dumps(void) {
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_CORE, &none) == 0 ? 0 : errno;
}

int perc_process_is_dumpable(void) {
    return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) > 0;
}

int perc_core_dumps_allowed(void) {
    struct rlimit limit;
    return getrlimit(RLIMIT_CORE, &limit) != 0 || limit.rlim_cur > 0;
}

/* ---- Test support --------------------------------------------------------------------------- */

int perc_test_forbid_mlock(void) {
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
    if (syscall(SYS_capget, &header, caps) != 0) return errno;
    caps[CAP_TO_INDEX(CAP_IPC_LOCK)].effective &= ~CAP_TO_MASK(CAP_IPC_LOCK);
    caps[CAP_TO_INDEX(CAP_IPC_LOCK)].permitted &= ~CAP_TO_MASK(CAP_IPC_LOCK);
    if (syscall(SYS_capset, &header, caps) != 0) return errno;
    struct rlimit none = {0, 0};
    return setrlimit(RLIMIT_MEMLOCK, &none) == 0 ? 0 : errno;
}
