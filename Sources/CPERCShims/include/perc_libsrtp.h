#ifndef PERC_LIBSRTP_H
#define PERC_LIBSRTP_H
#include <stddef.h>
#include <stdint.h>
/* libsrtp2 reference engine call sequences (filled in by the libsrtp2 engine work). */
#endif
