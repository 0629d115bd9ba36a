#include "model.hpp"

#ifdef STRATA_FIXED
inline const auto items = strata::table<Item>(
    "items", strata::column(&Item::id, "id").primary_key(), strata::column(&Item::title, "title"));
#else
inline const auto items = strata::table<Item>(
    "items", strata::column(&Item::id, "id").primary_key(), strata::column(&User::name, "title"));
#endif
