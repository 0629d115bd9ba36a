// strata's two tables in the user's database (the version table, one row per current head,
// and the history, one row per step taken) and the statements that record a step in them.
// Online runs and offline scripts write them with the same statements.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "strata/dialect/dialect.hpp"
#include "strata/engine/connection.hpp"
#include "strata/migrate/graph.hpp"

namespace strata::migrate {

// Names the two tables. A value type.
struct VersionTables {
  std::string version;
  std::string history;

  Table version_table() const;
  Table history_table() const;
  // The heads the version table holds, in order.
  std::vector<std::string> read_heads(Connection& conn) const;
  // Sets the version table to `heads`.
  std::vector<std::string> write_heads_sql(const Dialect& dialect,
                                           const std::vector<std::string>& heads) const;
  // The version table set to the heads after `step`, and its history row; the duration is
  // unknown (NULL) in an offline script.
  std::vector<std::string> record_sql(const Dialect& dialect, const Step& step,
                                      std::optional<std::int64_t> duration_ms) const;
};

}  // namespace strata::migrate
