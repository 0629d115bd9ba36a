#include "strata/autogen/baseline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "strata/dialect/dialect.hpp"

namespace strata::autogen {
namespace {

using migrate::Execute;
using migrate::Operation;

// An index on an expression reflects with the expression's text as a key: it cannot be written
// as create_index, and is taken in the database's own words instead.
std::set<std::string> take_expression_indexes(std::vector<Table>& tables) {
  std::set<std::string> out;
  for (auto& t : tables) {
    std::erase_if(t.indexes, [&](const Index& i) {
      bool expression = std::any_of(i.columns.begin(), i.columns.end(),
                                    [&](const std::string& key) { return !t.column(key); });
      if (expression) out.insert(i.name);
      return expression;
    });
  }
  return out;
}

// Unnamed keys, indexes and constraints get the convention's names; a check's name in the
// convention is its {name} token, so an unnamed one is numbered. Names the database gave stay.
void name_unnamed(Table& t, const NamingConvention& convention) {
  Table checks;
  checks.name = t.name;
  std::vector<std::size_t> unnamed;
  for (std::size_t i = 0; i < t.check_constraints.size(); ++i) {
    if (!t.check_constraints[i].name.empty()) continue;
    unnamed.push_back(i);
    checks.check_constraints.push_back(
        {fmt::format("check_{}", unnamed.size()), t.check_constraints[i].condition});
  }
  auto kept = std::move(t.check_constraints);
  t.check_constraints.clear();
  convention.apply(t);
  convention.apply(checks);
  for (std::size_t n = 0; n < unnamed.size(); ++n) kept[unnamed[n]] = checks.check_constraints[n];
  t.check_constraints = std::move(kept);
}

}  // namespace

Baseline baseline(const Engine& engine, CompareOptions options,
                  const NamingConvention& convention) {
  const Dialect& dialect = Dialect::of(engine.backend());
  if (!options.dialect) options.dialect = &dialect;
  auto tables = reflect(engine, options);
  auto expression_indexes = take_expression_indexes(tables);
  for (auto& t : tables) name_unnamed(t, convention);
  Comparison made = compare(tables, {}, options);
  Baseline out{std::move(made.upgrade), {}};
  // Views go before the tables they read; functions after the tables whose triggers call them.
  std::vector<Operation> before_tables;
  std::vector<Operation> after_tables;
  auto conn = engine.connect();
  for (const auto& row : conn.execute(dialect.schema_objects_sql())) {
    auto kind = row.get<std::string>(0);
    if (kind == "index" && !expression_indexes.count(row.get<std::string>(1))) continue;
    // A trigger goes with its table, which the include and exclude patterns may leave out.
    auto table = row.get<std::optional<std::string>>(4);
    if (table && !options.includes(*table)) continue;
    out.upgrade.push_back(Execute{row.get<std::string>(2), {}});
    if (auto drop = row.get<std::optional<std::string>>(3)) {
      auto& drops = kind == "view" ? before_tables : after_tables;
      drops.insert(drops.begin(), Execute{*drop, {}});
    }
  }
  out.downgrade = std::move(before_tables);
  for (auto& op : made.downgrade) out.downgrade.push_back(std::move(op));
  for (auto& op : after_tables) out.downgrade.push_back(std::move(op));
  return out;
}

}  // namespace strata::autogen
