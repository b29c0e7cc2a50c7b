#ifndef PERC_TSAN_H
#define PERC_TSAN_H
/* ThreadSanitizer annotations for the library's lock (Locked.swift). Synchronization.Mutex locks
 * inside the Swift runtime, which ThreadSanitizer does not instrument on Linux, so it sees no
 * happens-before edge and reports every access the lock protects as a race. These calls tell it
 * about the edge: perc_tsan_acquire right after taking the lock, perc_tsan_release right before
 * giving it up. Both do nothing unless this file is built with -fsanitize=thread. */
void perc_tsan_acquire(void *address);
void perc_tsan_release(void *address);
#endif
