#include "model.hpp"

#ifdef STRATA_FIXED
auto c = strata::column(&Item::title, "title");
#else
auto c = strata::column(&Item::numbers, "numbers");
#endif
