#include "CPERCDemoCrypto.h"
int perc_demo_crypto_placeholder(void) { return 0; }
