#include "model.hpp"

#ifdef STRATA_FIXED
auto r = strata::relation(&Item::owner_id, &User::id);
#else
auto r = strata::relation(&Item::title, &User::id);
#endif
