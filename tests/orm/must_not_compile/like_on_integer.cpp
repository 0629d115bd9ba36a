#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::title).like("a%");
#else
auto c = strata::col(&Item::id).like("a%");
#endif
