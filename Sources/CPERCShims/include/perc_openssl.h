#ifndef PERC_OPENSSL_H
#define PERC_OPENSSL_H
#include <stddef.h>
#include <stdint.h>
/* OpenSSL engine primitives (filled in by the OpenSSL engine work). */
#endif
