#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::title) == std::string("x");
#else
auto c = strata::col(&Item::title) == 5;
#endif
