#include "perc_tsan.h"

#if defined(__SANITIZE_THREAD__)
#define PERC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define PERC_TSAN 1
#endif
#endif

#ifdef PERC_TSAN
/* The ThreadSanitizer runtime's interface (sanitizer/tsan_interface.h). */
void __tsan_acquire(void *address);
void __tsan_release(void *address);

void perc_tsan_acquire(void *address) { __tsan_acquire(address); }
void perc_tsan_release(void *address) { __tsan_release(address); }
#else
void perc_tsan_acquire(void *address) { (void)address; }
void perc_tsan_release(void *address) { (void)address; }
#endif
