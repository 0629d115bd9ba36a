// The schema schema_bench reflects and autogen_bench compares: `tables` tables of 10 columns,
// each with a primary key, an index, a unique constraint and a foreign key to the one before.
#pragma once

#include <strata/schema/metadata.hpp>
#include <string>
#include <vector>

inline strata::MetaData bench_schema(int tables) {
  strata::MetaData md;
  for (int i = 0; i < tables; ++i) {
    std::vector<strata::Column> cols{
        strata::Column("id", strata::Type::biginteger()).primary_key(),
        strata::Column("name", strata::Type::string(100)).not_null().index(),
        strata::Column("code", strata::Type::string(20)).unique()};
    if (i > 0) {
      cols.push_back(strata::Column("parent_id", strata::Type::biginteger())
                         .references("t" + std::to_string(i - 1) + ".id"));
    }
    while (cols.size() < 10) {
      cols.emplace_back("c" + std::to_string(cols.size()), strata::Type::integer());
    }
    md.add(strata::Table("t" + std::to_string(i), std::move(cols)));
  }
  return md;
}
