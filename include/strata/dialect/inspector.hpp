// Reflection: reads a live database back into strata's schema values. SQLite from
// sqlite_schema, its pragmas and the stored DDL; PostgreSQL from pg_catalog, for one schema.
// Types come back normalised to strata's types, so a table made by create_all reflects equal
// to its model (see describe_difference).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "strata/engine/engine.hpp"
#include "strata/schema/table.hpp"

namespace strata {

namespace detail {
class Reflector;
}

// Reads the schema through one connection (its own, or one lent to it, for reading inside a
// transaction). Not thread-safe; cheap to make.
class Inspector {
 public:
  // `schema` is PostgreSQL's namespace (the connection's current schema, where unqualified DDL
  // goes, when empty); SQLite has only "main".
  explicit Inspector(const Engine& engine, std::string schema = "");
  explicit Inspector(Connection& connection, std::string schema = "");
  ~Inspector();
  Inspector(const Inspector&) = delete;
  Inspector& operator=(const Inspector&) = delete;

  std::vector<std::string> table_names();
  std::vector<std::string> view_names();
  bool has_table(std::string_view name);
  // Whether any table, view or index (or, on PostgreSQL, sequence...) takes `name`: cheaper
  // than has_table on PostgreSQL, where it needs USAGE on the schema (else ProgrammingError).
  bool has_relation(std::string_view name);
  // Throws ProgrammingError naming the table when there is none.
  Table table(std::string_view name);
  // Every table, in name order, read with a handful of queries however many there are.
  std::vector<Table> tables();

 private:
  std::optional<Connection> owned_;
  Connection* conn_;
  std::unique_ptr<detail::Reflector> reflector_;
};

}  // namespace strata
