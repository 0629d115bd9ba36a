#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::col(&Item::color) == Color::blue;
#else
auto c = strata::col(&Item::color) == 1;
#endif
