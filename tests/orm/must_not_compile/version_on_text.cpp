#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::column(&Item::id, "version").version();
#else
auto c = strata::column(&Item::title, "version").version();
#endif
