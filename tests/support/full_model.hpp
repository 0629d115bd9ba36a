// A model with every type and every constraint kind strata knows: for reflection and
// autogenerate tests.
#pragma once

#include <strata/schema/metadata.hpp>

namespace strata::test {

// Every type and every constraint kind strata knows.
inline MetaData full_model() {
  MetaData md;
  md.add(Table("users", {Column("id", Type::biginteger()).primary_key(),
                         Column("email", Type::string(320)).not_null().unique(),
                         Column("name", Type::text()),
                         Column("active", Type::boolean()).not_null().default_value(true),
                         Column("created_at", Type::datetime()).not_null().default_now()}));
  Table items(
      "items",
      {Column("id", Type::biginteger()).primary_key(),
       Column("owner_id", Type::biginteger()).not_null().references("users.id", FkAction::cascade),
       Column("title", Type::string(200)).not_null().index(),
       Column("price", Type::numeric(12, 2)).not_null().default_value(0).check("price >= 0"),
       Column("weight", Type::float32()), Column("ratio", Type::float64()),
       Column("qty", Type::integer()).default_value(1), Column("rank", Type::smallinteger()),
       Column("born", Type::date()), Column("opens", Type::time()),
       Column("seen", Type::datetime_tz()), Column("blob", Type::binary()),
       Column("meta", Type::json()), Column("ref", Type::uuid()),
       Column("code", Type::string(10)).default_value("it's"),
       Column("slug", Type::string(100)).default_sql("lower('X')")});
  items.add_index({"owner_id", "title"}, true, "", "");
  items.add_index({"price"}, false, "price > 0", "ix_items_positive_price");
  items.add_unique({"owner_id", "code"});
  items.add_check("qty < 1000", "qty_limit");
  md.add(std::move(items));
  Table pairs("pairs",
              {Column("a", Type::integer()).not_null(), Column("b", Type::string(5)).not_null(),
               Column("item_id", Type::biginteger())});
  pairs.add_primary_key({"a", "b"});
  pairs.add_foreign_key({"", {"item_id"}, "items", {"id"}, FkAction::set_null, FkAction::cascade});
  md.add(std::move(pairs));
  Table notes("pair_notes",
              {Column("id", Type::biginteger()).primary_key(),
               Column("pa", Type::integer()).not_null(), Column("pb", Type::string(5)).not_null()});
  notes.add_foreign_key(
      {"", {"pa", "pb"}, "pairs", {"a", "b"}, FkAction::cascade, FkAction::no_action});
  md.add(std::move(notes));
  return md;
}

}  // namespace strata::test
