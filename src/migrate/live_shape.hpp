// Online, a step starts from the database as it is. Schema replay knows only what the history
// created; a table made before strata, by hand or by `execute`, or changed by hand since, is
// known to the database alone. Before a step renders, the tables it works on are read from the
// database into the replayed schema: the database decides which columns, keys and constraints
// a table has, and the history's declaration of each object both agree on is kept (reflection
// reads some things back plainer than they were declared). Private to migrate.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "executor.hpp"
#include "strata/dialect/dialect.hpp"
#include "strata/engine/connection.hpp"
#include "strata/migrate/operations.hpp"

namespace strata::migrate::detail {

// The tables an operation works on: those whose shape it starts from, and those it creates.
struct Touched {
  std::vector<std::string> read;
  std::vector<std::string> made;
};
Touched touched(const Operation& op);

// `live` with the history's spelling of every object that means the same in both. Each
// object they disagree on adds a line to `differences` ("column stray: only in the database"),
// or to `asides` for an index only the database has (made through `execute`, as expression
// indexes are: an idiom, not drift).
Table merged_shape(const Table& history, const Table& live, const Dialect& dialect,
                   std::vector<std::string>& differences, std::vector<std::string>& asides);

// Brings the tables the operations of one step touch to the database's shape, once per table
// and run: after that, operations applied to the replayed schema keep it in step with the
// database. Borrows the connection. Not thread-safe.
class LiveShapes final : public ShapeSource {
 public:
  explicit LiveShapes(Connection& conn);

  // One warning line per table whose replayed shape differed (the differences at debug level).
  // Whether it changed `state`.
  bool settle(const std::vector<Operation>& ops, SchemaState& state) override;
  // Everything read so far may be stale: after `execute`, or when another process ran steps.
  void forget() override;

 private:
  const std::set<std::string, std::less<>>& live_names();
  Table live_table(const std::string& name);
  void forget_children_of(const std::vector<std::string>& tables);
  bool settle_table(const std::string& name, SchemaState& state);

  Connection& conn_;
  const Dialect& dialect_;
  std::optional<std::set<std::string, std::less<>>> live_names_;
  // The first read takes every table at once: a downgrade to base touches hundreds, and a
  // table read alone costs a round trip per catalog query. Later reads (after `execute`) take
  // one table each, so that a history of many `execute` steps does not read all each time.
  std::map<std::string, Table, std::less<>> first_read_;
  bool read_before_ = false;
  std::set<std::string, std::less<>> settled_;
};

}  // namespace strata::migrate::detail
