#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::owner_id) == strata::col(&User::id);
#else
auto c = strata::col(&Item::owner_id) == strata::col(&User::name);
#endif
