// What each backend implements for the Inspector, and helpers both use.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "strata/engine/connection.hpp"
#include "strata/schema/table.hpp"

namespace strata::detail {

class Reflector {
 public:
  virtual ~Reflector() = default;
  virtual std::vector<std::string> table_names(Connection& conn) = 0;
  virtual std::vector<std::string> view_names(Connection& conn) = 0;
  // One lookup, not a listing: `strata current` asks this of databases with thousands of tables.
  // `name` matches as the backend resolves identifiers (SQLite ignores case).
  virtual bool has_table(Connection& conn, const std::string& name) = 0;
  // Whether any relation (table, view, index, sequence...) takes `name` in the schema. On
  // PostgreSQL a name lookup with no catalog query to plan: about 1 ms less than has_table on a
  // new connection, which is most of `strata current`'s work on the server.
  virtual bool has_relation(Connection& conn, const std::string& name) = 0;
  // All tables, or only `only` when given, in name order.
  virtual std::vector<Table> tables(Connection& conn, const std::optional<std::string>& only) = 0;
};

// A default's SQL text read back into a ServerDefault: a quoted string, a number or boolean
// (read with the column's type), the current timestamp, or else an expression.
// `casts` strips PostgreSQL's `::type` suffixes from literals.
std::optional<ServerDefault> parse_default(std::string_view sql, const Type& type);

// Runs a catalog query written in the backend's own placeholders (?N or $N).
template <class... Args>
Result query(Connection& conn, std::string_view sql, const Args&... args) {
  const std::array<ValueRef, sizeof...(Args)> params{ValueRef(args)...};
  return conn.execute_native(sql, params);
}

// Table names in the order of `tables`, with each table looked up by name.
Table* find_table(std::vector<Table>& tables, std::string_view name);

}  // namespace strata::detail
