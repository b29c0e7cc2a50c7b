#ifndef PERC_CSQLITE_SHIM_H
#define PERC_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
