#include "perc_openssl.h"
