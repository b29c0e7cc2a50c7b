#ifndef PERC_CLIBSRTP_SHIM_H
#define PERC_CLIBSRTP_SHIM_H
#include <srtp2/srtp.h>
#endif
