#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::id) == 7;
#else
auto c = strata::col(&Item::id) == "7";
#endif
