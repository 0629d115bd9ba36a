// SQLite's table rebuild: the statements make the new table and copy the rows; around them,
// the views, triggers and undeclared indexes that the drop of the old table would take with it
// (or that would stop the rename) are dropped and made again from their stored SQL.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "sqlite_ddl.hpp"
#include "sqlite_dialect.hpp"
#include "strata/core/error.hpp"
#include "strata/engine/connection.hpp"

namespace strata::detail {
namespace {

constexpr std::int64_t kRebuildProgressRows = 100'000;

// A rebuild of a large table copies for a while: say so before it starts.
void announce(Connection& conn, const Dialect& dialect, const std::string& table,
              const ProgressFn& progress) {
  if (!progress) return;
  auto rows = conn.execute("SELECT count(*) FROM " + dialect.quote(table)).scalar<std::int64_t>();
  if (rows < kRebuildProgressRows) return;
  progress(fmt::format("  Rebuilding table {}: copying {} rows", table, rows));
}

// What a rebuild of a table drops with it, or must drop first: views (one naming the table
// would stop the rename), the table's indexes and triggers, and triggers elsewhere that name it.
struct Dependent {
  std::string type, name, sql;
};

// Every view, the indexes on the table, and the triggers on it, on views, or whose body names
// it, in creation order. Names match as SQLite matches them: without regard to case.
constexpr std::string_view kDependentsSql =
    "WITH target(name) AS (SELECT ?) SELECT s.type, s.name, s.sql FROM sqlite_schema s, "
    "target t WHERE s.sql IS NOT NULL AND (s.type = 'view' OR (s.type = 'index' AND "
    "s.tbl_name = t.name COLLATE NOCASE) OR (s.type = 'trigger' AND (s.tbl_name = t.name "
    "COLLATE NOCASE OR s.tbl_name IN (SELECT name FROM sqlite_schema WHERE type = 'view') "
    "OR instr(lower(s.sql), lower(t.name)) > 0))) ORDER BY s.rowid";

std::vector<Dependent> dependents_of(Connection& conn, const std::string& table) {
  std::vector<Dependent> out;
  for (const auto& row : conn.execute(kDependentsSql, table)) {
    out.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2)});
  }
  return out;
}

// An index no revision declared, as the new shape needs it: its columns renamed as the rebuild
// renamed them; nothing when it uses a column the rebuild dropped (it goes with the column, as
// in PostgreSQL) or when it is the rebuild's own.
std::optional<std::string> undeclared_index(const TableRebuild& rebuild, const Dependent& index) {
  const auto& declared = rebuild.declared_indexes;
  if (std::find(declared.begin(), declared.end(), index.name) != declared.end()) return {};
  std::map<std::string, std::string> renames;  // old name -> new name
  std::set<std::string> kept;
  for (const auto& [now, was] : rebuild.sources) {
    kept.insert(was);
    if (now != was) renames.emplace(was, now);
  }
  std::vector<std::string> dropped;
  for (const auto& column : rebuild.columns_before) {
    if (!kept.count(column)) dropped.push_back(column);
  }
  return index_for_new_shape(index.sql, renames, dropped);
}

// The views a rebuild can break: those naming the table, and those naming such a view. Each
// view is read once; a walk from the table over "named by" links finds them.
std::vector<std::string> views_over(const std::vector<Dependent>& dependents,
                                    const std::string& table) {
  std::map<std::string, std::vector<const Dependent*>> named_by;
  for (const auto& d : dependents) {
    if (d.type != "view") continue;
    for (const auto& name : sqlite_names(d.sql)) named_by[name].push_back(&d);
  }
  std::vector<std::string> out;
  std::set<const Dependent*> seen;
  std::vector<std::string> walk{fold_case(table)};
  while (!walk.empty()) {
    auto name = std::move(walk.back());
    walk.pop_back();
    for (const Dependent* view : named_by[name]) {
      if (!seen.insert(view).second) continue;
      out.push_back(view->name);
      walk.push_back(fold_case(view->name));
    }
  }
  return out;
}

}  // namespace

// Indexes the revisions declared are the rebuild's own (its statements make those the new shape
// keeps); the others are made again here. A view that no longer works on the new shape fails
// the rebuild rather than being left broken.
void SqliteDialect::carry_out(Connection& conn, const TableRebuild& rebuild,
                              const ProgressFn& progress) const {
  announce(conn, *this, rebuild.table, progress);
  auto dependents = dependents_of(conn, rebuild.table);
  for (const auto& d : dependents) {
    if (d.type == "view" || d.type == "trigger") {
      conn.execute_script(fmt::format("DROP {} IF EXISTS {}", d.type, quote(d.name)));
    }
  }
  for (const auto& sql : rebuild.statements) conn.execute_script(sql);
  for (const auto& d : dependents) {
    if (d.type != "index") {
      conn.execute_script(d.sql);
    } else if (auto sql = undeclared_index(rebuild, d)) {
      conn.execute_script(*sql);
    }
  }
  for (const auto& view : views_over(dependents, rebuild.table)) {
    conn.execute("SELECT * FROM " + quote(view) + " LIMIT 0");
  }
}

ForeignKeyViolations SqliteDialect::foreign_key_violations(Connection& conn) const {
  ForeignKeyViolations out;
  for (const auto& row : conn.execute(foreign_key_check_sql())) {
    auto rowid = row.get<std::optional<std::int64_t>>(1);
    out.insert(
        {row.get<std::string>(0), rowid ? std::to_string(*rowid) : "?", row.get<std::string>(2)});
  }
  return out;
}

}  // namespace strata::detail
