#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::note) == std::nullopt;
#else
auto c = strata::col(&Item::title) == std::nullopt;
#endif
