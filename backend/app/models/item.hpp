// An item, owned by a user. Deleting the user deletes its items: the foreign key cascades in
// the database, so no request has to load the items to delete them.
#pragma once

#include <cstdint>
#include <optional>
#include <strata/orm/orm.hpp>
#include <string>

#include "app/models/lengths.hpp"

namespace backend::models {

struct Item {
  std::int64_t id = 0;
  std::string title;
  std::optional<std::string> description;
  std::int64_t owner_id = 0;
  strata::Timestamp created_at{};
};

inline const auto items = strata::table<Item>(
    "items", strata::column(&Item::id, "id").primary_key(),
    strata::column(&Item::title, "title").type(strata::String{kTitleMax}).index(),
    strata::column(&Item::description, "description"),
    strata::column(&Item::owner_id, "owner_id")
        .references("users.id", strata::FkAction::cascade)
        .index(),
    strata::column(&Item::created_at, "created_at").default_now());

}  // namespace backend::models
