#include "include/pmh_shim.h"
