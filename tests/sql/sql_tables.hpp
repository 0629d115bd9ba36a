// The tables the SQL tests build statements on: users and their items, and a table whose
// names all need quoting (a reserved word, mixed case, a space, a quote).
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <strata/schema/metadata.hpp>
#include <strata/strata.hpp>

namespace strata {

// Lets GoogleTest print values in failure messages.
inline void PrintTo(const Value& value, std::ostream* os) {
  *os << value.to_string();
}

namespace test {

inline const MetaData& sql_metadata() {
  static const MetaData metadata = [] {
    MetaData md;
    md.add(Table("users", {Column("id", Type::biginteger()).primary_key(),
                           Column("email", Type::string(200)).not_null().unique(),
                           Column("name", Type::text()), Column("score", Type::integer())}));
    md.add(Table("items", {Column("id", Type::biginteger()).primary_key(),
                           Column("owner_id", Type::biginteger())
                               .not_null()
                               .references("users.id", FkAction::cascade),
                           Column("title", Type::string(200)).not_null(),
                           Column("price", Type::float64())}));
    md.add(Table("user", {Column("id", Type::biginteger()).primary_key(),
                          Column("Name", Type::text()), Column("has space", Type::text()),
                          Column("say \"hi\"", Type::text()), Column("order", Type::integer())}));
    return md;
  }();
  return metadata;
}

inline const Table& users_table() {
  return *sql_metadata().table("users");
}
inline const Table& items_table() {
  return *sql_metadata().table("items");
}
inline const Table& odd_table() {
  return *sql_metadata().table("user");
}

}  // namespace test
}  // namespace strata
