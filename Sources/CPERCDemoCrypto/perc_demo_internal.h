#ifndef PERC_DEMO_INTERNAL_H
#define PERC_DEMO_INTERNAL_H
/* Shared by the shim's .c files only; not part of the module's headers. */
#include <openssl/bio.h>
#include <stddef.h>
#include <stdint.h>

/* Copies the whole content of a memory BIO into out (cap octets) and sets *out_len. Returns 1 on
 * success, 0 if it does not fit. The BIO stays owned by the caller. */
int perc_demo_bio_copy_out(BIO *bio, uint8_t *out, size_t cap, size_t *out_len);

#endif
