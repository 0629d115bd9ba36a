// Operations as SQL for one dialect. What the backend's ALTER TABLE can do is done in place;
// the rest is SQLite's table rebuild: create the new shape, copy the rows, drop the old table,
// rename the new one, recreate the indexes. The rebuild's statements must run with SQLite's
// foreign_keys off (it cannot change inside a transaction), followed by a foreign_key_check:
// the runner does that around them.
#pragma once

#include <string>
#include <vector>

#include "strata/dialect/dialect.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::migrate {

struct RenderedOperation {
  std::vector<std::string> statements;
  std::string rebuilt_table;  // the table a rebuild replaces; empty when done in place
};

// `before` is the schema the operation applies to (from schema replay, or reflection).
// Throws MigrationError when the operation does not fit `before`.
RenderedOperation render(const Operation& op, const Dialect& dialect, const SchemaState& before);

// The statements that turn table `from` into `to` (same name) by copying its rows through a
// new table; `renamed` maps a column's old name to its new one.
std::vector<std::string> rebuild_table(
    const Table& from, const Table& to, const Dialect& dialect,
    const std::vector<std::pair<std::string, std::string>>& renamed = {});

}  // namespace strata::migrate
