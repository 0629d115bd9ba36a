// The application's schema as the models declare it: every model's table in one MetaData. It is
// what `backend db revision --autogenerate` compares with the database, so a new model is
// added here as well as in models/.
#pragma once

#include <strata/schema/metadata.hpp>

#include "app/models/item.hpp"
#include "app/models/user.hpp"

namespace backend::db {

inline const strata::MetaData& metadata() {
  static const strata::MetaData all = [] {
    strata::MetaData m;
    models::users.add_to(m);
    models::items.add_to(m);
    return m;
  }();
  return all;
}

}  // namespace backend::db
