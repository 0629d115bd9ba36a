// Autogenerate: the application's models compared with a reflected database, as the
// migration operations that take the database to the models (upgrade) and back (downgrade).
// Operations come in an order that runs: renames first, then constraint and index drops,
// new tables parents first, new and altered columns, new indexes and constraints, foreign
// keys last among the creates, then column drops and table drops children first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "strata/engine/engine.hpp"
#include "strata/migrate/operations.hpp"
#include "strata/migrate/revision_writer.hpp"
#include "strata/schema/metadata.hpp"

namespace strata {
class Config;
class Dialect;
}  // namespace strata

namespace strata::autogen {

// What to compare and how. A value type; `dialect` points to a Dialect singleton (never
// owned, never dangling).
struct CompareOptions {
  // Matches types per backend (SQLite affinities of hand-written types); null compares
  // types exactly. The Engine overload of compare() fills it in.
  const Dialect* dialect = nullptr;
  // Glob patterns (fnmatch) of table names: a table is compared when it matches an include
  // pattern (or there are none) and no exclude pattern. Applies to models and database alike.
  std::vector<std::string> include;
  std::vector<std::string> exclude;
  // strata's own tables, never compared.
  std::string version_table = "strata_version";
  std::string history_table = "strata_history";

  // include, exclude and version_table from strata.toml.
  static CompareOptions from(const Config& config);
  // Whether `table` takes part in the comparison: never strata's own tables nor Alembic's
  // alembic_version.
  bool includes(std::string_view table) const;
};

// The differences between models and database. A value type.
struct Comparison {
  std::vector<migrate::Operation> upgrade;    // database -> models
  std::vector<migrate::Operation> downgrade;  // models -> database, the inverse of upgrade
  // "possible rename of a to b" above the add_column it concerns, for the revision file.
  migrate::RevisionComments comments;
  // Differences no operation can express (a changed primary key): listed, never written.
  std::vector<std::string> unsupported;

  bool empty() const noexcept { return upgrade.empty() && unsupported.empty(); }
  // One line per difference, for `check`: "add column items.title (string(200))".
  std::vector<std::string> describe() const;
};

// Compares target tables (the models, or a snapshot) with reflected ones. Column order,
// constraint names of unnamed reflected constraints, and the spelling of types, defaults and
// conditions do not count as differences.
Comparison compare(const std::vector<Table>& target, const std::vector<Table>& reflected,
                   const CompareOptions& options = {});
Comparison compare(const MetaData& target, const std::vector<Table>& reflected,
                   const CompareOptions& options = {});
// Reflects the database behind `engine` (options.dialect defaults to the engine's).
Comparison compare(const MetaData& target, const Engine& engine, CompareOptions options = {});

// The tables of the database behind `engine` that `options` includes, reflected.
std::vector<Table> reflect(const Engine& engine, const CompareOptions& options = {});

// One line for an operation: "add column items.title (string(200))", "remove table old".
std::string describe(const migrate::Operation& op);

}  // namespace strata::autogen
