#include "strata/autogen/baseline.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "strata/dialect/dialect.hpp"

namespace strata::autogen {
namespace {

using migrate::Execute;
using migrate::Operation;

// What reflection into Tables leaves out, in the database's words (Dialect::schema_objects_sql).
struct SchemaObject {
  std::string kind, name, made;
  std::optional<std::string> dropped, table;
};

std::vector<SchemaObject> schema_objects(const Engine& engine, const Dialect& dialect) {
  std::vector<SchemaObject> out;
  auto conn = engine.connect();
  for (const auto& row : conn.execute(dialect.schema_objects_sql())) {
    out.push_back({row.get<std::string>(0), row.get<std::string>(1), row.get<std::string>(2),
                   row.get<std::optional<std::string>>(3), row.get<std::optional<std::string>>(4)});
  }
  return out;
}

bool identifier_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// `word` standing alone in `upper`, not inside a name (DESC in "description").
bool has_word(const std::string& upper, std::string_view word) {
  for (auto at = upper.find(word); at != std::string::npos; at = upper.find(word, at + 1)) {
    auto end = at + word.size();
    if ((at == 0 || !identifier_char(upper[at - 1])) &&
        (end == upper.size() || !identifier_char(upper[end]))) {
      return true;
    }
  }
  return false;
}

// An index whose definition says more than a list of columns (DESC, COLLATE, INCLUDE, an
// access method other than btree) would lose it as create_index.
bool says_more_than_columns(const std::string& sql) {
  std::string upper = sql;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  bool other_method = has_word(upper, "USING") && !has_word(upper, "BTREE");
  return other_method || has_word(upper, "DESC") || has_word(upper, "COLLATE") ||
         has_word(upper, "INCLUDE");
}

// Indexes create_index cannot write (on an expression, whose reflection has the expression's
// text as a key, or saying more than columns) leave their tables: they are taken in the
// database's own words instead.
std::set<std::string> take_unwritable_indexes(std::vector<Table>& tables,
                                              const std::vector<SchemaObject>& objects) {
  std::set<std::string> out;
  for (const auto& o : objects) {
    if (o.kind == "index" && says_more_than_columns(o.made)) out.insert(o.name);
  }
  for (auto& t : tables) {
    std::erase_if(t.indexes, [&](const Index& i) {
      bool expression = std::any_of(i.columns.begin(), i.columns.end(),
                                    [&](const std::string& key) { return !t.column(key); });
      if (expression) out.insert(i.name);
      return out.count(i.name) > 0;
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
  auto objects = schema_objects(engine, dialect);
  auto unwritable = take_unwritable_indexes(tables, objects);
  for (auto& t : tables) name_unnamed(t, convention);
  Comparison made = compare(tables, {}, options);
  Baseline out{std::move(made.upgrade), {}};
  // Views go before the tables they read; functions after the tables whose triggers call them.
  std::vector<Operation> before_tables;
  std::vector<Operation> after_tables;
  for (const auto& o : objects) {
    if (o.kind == "index" && !unwritable.count(o.name)) continue;
    // A trigger or an index goes with its table, which include and exclude may leave out.
    if (o.table && !options.includes(*o.table)) continue;
    out.upgrade.push_back(Execute{o.made, {}});
    if (o.dropped) {
      auto& drops = o.kind == "view" ? before_tables : after_tables;
      drops.insert(drops.begin(), Execute{*o.dropped, {}});
    }
  }
  out.downgrade = std::move(before_tables);
  for (auto& op : made.downgrade) out.downgrade.push_back(std::move(op));
  for (auto& op : after_tables) out.downgrade.push_back(std::move(op));
  return out;
}

}  // namespace strata::autogen
