#include "placeholders.hpp"

#include <algorithm>

#include "../core/sql_lexer.hpp"
#include "../core/usage_error.hpp"
#include "strata/core/error.hpp"

namespace strata::detail {
namespace {

// The number of the named parameter `name`: the next one the first time it appears.
int number_of(std::string_view name, RenderedSql& out) {
  auto found = std::find(out.names.begin(), out.names.end(), name);
  if (found == out.names.end()) {
    out.names.emplace_back(name);
    out.param_count = static_cast<int>(out.names.size());
    return out.param_count;
  }
  return static_cast<int>(found - out.names.begin()) + 1;
}

// SQLite numbers a bare `?` one above the largest number so far: where every placeholder is
// one, they keep the numbers ?1, ?2, ... would give, and preparing `?NNN` costs time
// quadratic in their number (dialect/sqlite/sqlite_dialect.hpp).
bool stays_bare(const std::vector<SqlToken>& tokens, char prefix) {
  return prefix == '?' && std::all_of(tokens.begin(), tokens.end(), [](const SqlToken& t) {
           return t.kind != SqlTokenKind::placeholder || t.text == "?";
         });
}

}  // namespace

// Only `?` and `:name` are rewritten: ?N and $N are the backend's own numbered forms already,
// and `??` is a literal `?` (PostgreSQL's jsonb operators).
RenderedSql render_placeholders(std::string_view sql, char prefix, const SqlSyntax& syntax) {
  RenderedSql out;
  out.sql.reserve(sql.size() + 8);
  bool positional = false;
  const auto tokens = tokenize_sql(sql, syntax);
  const bool bare = stays_bare(tokens, prefix);
  for (const SqlToken& t : tokens) {
    bool named = t.kind == SqlTokenKind::placeholder && t.text.front() == ':';
    bool ours = named || (t.kind == SqlTokenKind::placeholder && t.text == "?");
    if (!ours) {
      out.sql += t.is("??") ? std::string_view("?") : t.text;
      continue;
    }
    positional = positional || !named;
    int number = named ? number_of(t.text.substr(1), out) : ++out.param_count;
    out.sql += prefix;
    if (bare) continue;
    out.sql += std::to_string(number);
    if (positional && !out.names.empty()) {
      throw usage_error(
          "the statement mixes positional (?) and named (:name) parameters; use "
          "one kind",
          sql);
    }
  }
  return out;
}

}  // namespace strata::detail
