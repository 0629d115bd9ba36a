// MetaData: the tables of an application, with every constraint and index named by a naming
// convention, so that SQLite and PostgreSQL see the same names and migrations can address them.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "strata/schema/table.hpp"

namespace strata {

class Engine;
class Config;

// Templates with {table}, {columns} (joined by "_"), {referred_table} and {name}. Names longer
// than PostgreSQL's 63 bytes are shortened with a fixed hash (FNV-1a), identically on every
// backend and every toolchain. A value type.
struct NamingConvention {
  std::string primary_key = "pk_{table}";
  std::string index = "ix_{table}_{columns}";
  std::string unique = "uq_{table}_{columns}";
  std::string foreign_key = "fk_{table}_{columns}_{referred_table}";
  std::string check = "ck_{table}_{name}";

  // The defaults with the templates of strata.toml's [naming_convention] over them.
  static NamingConvention from(const Config& config);

  // Gives every unnamed constraint and index of `table` its conventional name.
  void apply(Table& table) const;
  bool operator==(const NamingConvention&) const = default;
};

// An ordered set of tables. A value type; safe to read from several threads once built.
class MetaData {
 public:
  explicit MetaData(NamingConvention convention = {}) : convention_(std::move(convention)) {}

  // Adds a table with its constraints named; throws strata::Error when the name is taken.
  // The reference stays valid as more tables are added.
  const Table& add(Table table);
  const Table* table(std::string_view name) const;
  const std::deque<Table>& tables() const noexcept { return tables_; }
  const NamingConvention& naming_convention() const noexcept { return convention_; }

  // Tables with every table before the tables whose foreign keys refer to it (self references
  // allowed); ties keep the order of add(). Throws strata::Error naming a reference cycle.
  std::vector<const Table*> sorted_tables() const;

  // Creates the tables that do not exist yet, parents first, with their indexes, in one
  // transaction where the backend allows DDL in transactions. Defined in the dialect layer.
  void create_all(const Engine& engine) const;
  // Drops the tables of this MetaData that exist, children first.
  void drop_all(const Engine& engine) const;

 private:
  NamingConvention convention_;
  std::deque<Table> tables_;
};

}  // namespace strata
