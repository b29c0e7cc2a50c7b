#ifndef PERC_MEMORY_H
#define PERC_MEMORY_H
#include <stddef.h>
#include <stdint.h>

/* Zeroes n bytes in a way the compiler cannot elide (OPENSSL_cleanse). */
void perc_wipe(void *p, size_t n);

/* CLOCK_MONOTONIC_COARSE in nanoseconds: a few ns per call, enough resolution for key expiry. */
uint64_t perc_coarse_monotonic_ns(void);

/* ---- Guarded regions (libsodium-style sealed memory) ----------------------------------------
 *
 * One anonymous private mapping per region:
 *
 *   base                                                                    base + mapped
 *   | guard page |            data pages (mlock, DONTDUMP, WIPEONFORK)       | guard page |
 *   | PROT_NONE  | slack: ≥ 15 zero octets     |  secret: count octets       | PROT_NONE  |
 *                                               ^ data                       ^ data + count
 *
 * The secret ends exactly where the trailing guard page starts, so reading or writing one octet
 * past it faults; running off the front crosses the slack (zeroes) into the leading guard page.
 * The data pages are PROT_NONE at rest, PROT_READ while unsealed, PROT_READ|PROT_WRITE only while
 * being filled.
 *
 * Random fill: OpenSSL's CTR-DRBG generates in place in AES counter mode and keeps the keystream
 * of a final partial block in its cipher context, where it would stay as a copy of the secret's
 * last octets. The region therefore asks the DRBG for whole 16-octet blocks only, ending at the
 * guard page and starting up to 15 octets into the slack, then zeroes that part of the slack. */
typedef struct {
    void *base;       /* start of the mapping (leading guard page) */
    size_t mapped;    /* length of the whole mapping */
    uint8_t *data;    /* first octet of the secret */
    size_t count;     /* octets of secret */
} perc_guarded_region;

/* Protection that was actually obtained for a region (bit set = in force). */
enum {
    PERC_GUARDED_LOCKED = 1,             /* mlock succeeded, and not under ASan (a no-op there) */
    PERC_GUARDED_EXCLUDED_FROM_DUMP = 2, /* madvise(MADV_DONTDUMP) succeeded */
    PERC_GUARDED_WIPED_ON_FORK = 4,      /* madvise(MADV_WIPEONFORK) succeeded */
};

/* Access modes for perc_guarded_protect. */
enum {
    PERC_GUARDED_NO_ACCESS = 0,
    PERC_GUARDED_READ = 1,
    PERC_GUARDED_READ_WRITE = 2,
};

/* perc_guarded_map's status when the DRBG failed (errno values are positive). */
#define PERC_GUARDED_RANDOM_FAILED (-1)

/* Maps a region for count > 0 octets, zero-filled or (random != 0) filled from OpenSSL's DRBG,
 * and seals it (PROT_NONE). Returns 0 and fills *region and *protection (PERC_GUARDED_* bits), or
 * an errno value or PERC_GUARDED_RANDOM_FAILED with nothing mapped and *region untouched. */
int perc_guarded_map(size_t count, int random, perc_guarded_region *region, unsigned *protection);

/* Sets the access of the data pages. Returns 0 or an errno value. */
int perc_guarded_protect(const perc_guarded_region *region, int access);

/* Makes the data pages writable and zeroes all of them (OPENSSL_cleanse). The region stays mapped
 * and writable. Returns 0, or an errno value if the pages could not be made writable (then
 * nothing was zeroed). */
int perc_guarded_wipe(const perc_guarded_region *region);

/* Unlocks and unmaps the whole region (call perc_guarded_wipe first). Returns 0 or an errno
 * value. */
int perc_guarded_unmap(const perc_guarded_region *region);

/* 1 when this code was built with AddressSanitizer or ThreadSanitizer, whose mlock interceptors
 * report success but lock nothing. */
int perc_running_under_sanitizer(void);

/* ---- Process hygiene ------------------------------------------------------------------------ */

/* prctl(PR_SET_DUMPABLE, 0): no core dumps, no ptrace attach by non-root, /proc/self owned by root.
 * Returns 0 or an errno value. */
int perc_disable_dumpable(void);

/* setrlimit(RLIMIT_CORE, {0, 0}). Returns 0 or an errno value. */
int perc_disable_core_dumps(void);

/* prctl(PR_GET_DUMPABLE): 1 if the process is dumpable, 0 if not. */
int perc_process_is_dumpable(void);

/* 1 if RLIMIT_CORE's soft limit lets a crash write a core file (limit above zero). */
int perc_core_dumps_allowed(void);

/* ---- Test support (used only by Tests/PERCTests) ------------------------------------------- */

/* Test-only: drops CAP_IPC_LOCK from this process and sets RLIMIT_MEMLOCK to 0, so that mlock
 * fails as it does for an unprivileged process over its limit. Irreversible: call it only in an
 * exit test's child process. Returns 0 or an errno value. */
int perc_test_forbid_mlock(void);

#endif
