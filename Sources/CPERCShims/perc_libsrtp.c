#include "perc_libsrtp.h"
