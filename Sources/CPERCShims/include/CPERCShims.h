#ifndef PERC_SHIMS_H
#define PERC_SHIMS_H
/* Umbrella header: one header per area, one small C function per OpenSSL or libsrtp2 call sequence. */
#include "perc_memory.h"
#include "perc_tsan.h"
#include "perc_openssl.h"
#include "perc_libsrtp.h"
#include "perc_keywrap.h"
#include "perc_fingerprint.h"
#endif
