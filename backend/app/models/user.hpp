// A user of the service, the owner of items. The mapping matches the `users` table of the
// migrations column for column (tests/backend/models_test.cpp replays the migrations and
// compares), so that `backend db revision --autogenerate` finds nothing to do.
#pragma once

#include <cstdint>
#include <optional>
#include <strata/orm/orm.hpp>
#include <string>

#include "app/models/lengths.hpp"

namespace backend::models {

struct User {
  std::int64_t id = 0;  // 0 until the INSERT: the database numbers users
  std::string email;
  std::optional<std::string> name;
  strata::Timestamp created_at{};  // the epoch until the INSERT: the database sets it
};

inline const auto users = strata::table<User>(
    "users", strata::column(&User::id, "id").primary_key(),
    strata::column(&User::email, "email").type(strata::String{kEmailMax}).unique(),
    strata::column(&User::name, "name").type(strata::String{kNameMax}),
    strata::column(&User::created_at, "created_at").default_now());

}  // namespace backend::models
