// Operations as SQL for one dialect. What the backend's ALTER TABLE can do is done in place;
// the rest is SQLite's table rebuild: create the new shape, copy the rows, drop the old table,
// rename the new one, recreate the indexes. The dialect carries a rebuild out
// (Dialect::carry_out, which keeps what the statements do not make), with foreign keys off
// around its transaction and checked before its commit where the dialect needs that: the step
// executor does that around them.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "strata/dialect/dialect.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::migrate {

// Where each column of a rebuilt table takes its rows from: new name -> old name. A column
// not in the map is new and takes its default.
using ColumnSources = decltype(TableRebuild::sources);

struct RenderedOperation {
  std::vector<std::string> statements;
  std::string rebuilt_table;  // the table a rebuild replaces; empty when done in place
  ColumnSources sources;      // a rebuild's column sources
  // A rebuild: the indexes the revisions had given the table before it. The rebuild makes
  // those it keeps; others on the table (made through execute) are the dialect's to keep.
  std::vector<std::string> declared_indexes;
  std::vector<std::string> columns_before;  // a rebuild: the table's columns before it
  std::size_t first = 0;                    // render_all: the operations this covers, [first, last]
  std::size_t last = 0;
};

// `before` is the schema the operation applies to (from schema replay, or reflection).
// Throws MigrationError when the operation does not fit `before`. An operation restricted to
// other dialects renders no statement.
RenderedOperation render(const Operation& op, const Dialect& dialect, const SchemaState& before);

// Renders a revision's operations in order and advances `state` past them; those restricted to
// other dialects are left out of both. Consecutive operations that each rebuild the same table
// make one rebuild, so a table is copied once. `state` is replayed for `dialect` (or for every
// dialect). Throws MigrationError "operation N (name): ..." naming the first that does not fit.
std::vector<RenderedOperation> render_all(const std::vector<Operation>& ops, const Dialect& dialect,
                                          SchemaState& state);

// The statements that turn table `from` into `to` (same name) by copying its rows through a
// new table.
std::vector<std::string> rebuild_table(const Table& from, const Table& to, const Dialect& dialect,
                                       const ColumnSources& sources);
// Column sources for a rebuild that keeps every column of `to` that `from` has by name.
ColumnSources same_names(const Table& from, const Table& to);

}  // namespace strata::migrate
